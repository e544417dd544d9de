package io.dsblocks.loadbalancer;

/**
 * The result of {@link Picker#pick}: the chosen endpoint, counted as one in-flight request until
 * the caller reports how the request ended. Report exactly once per pick, with exactly one of
 * {@link #onSuccess}, {@link #onFailure}, {@link #onResponse} or {@link #release}:
 *
 * <pre>{@code
 * Selection<Endpoint> s = lb.pick(ctx);
 * long t0 = ticker.read();
 * try {
 *   int status = send(s.endpoint(), request);
 *   s.onResponse(status, ticker.read() - t0);   // 5xx counts as a failure
 * } catch (IOException e) {
 *   s.onFailure(ticker.read() - t0);             // connect refused, reset, timeout
 * }
 * }</pre>
 *
 * <p>A selection is not a per-request object: to keep {@code pick} allocation-free it is the
 * endpoint's long-lived handle, shared by all requests on that endpoint, and holds no per-request
 * state (so measure latency yourself, as above). Reporting twice for one pick corrupts the
 * in-flight count (it never goes below zero).
 *
 * <p>Thread-safety: thread-safe; report from any thread. Reports are lock-free, except one that
 * crosses an outlier-ejection threshold or runs an outlier-detection interval tick, which takes the
 * balancer's lock to rebuild its snapshot.
 *
 * @param <E> the endpoint type
 */
public interface Selection<E extends Endpoint> {

  /**
   * The chosen endpoint.
   *
   * @return the endpoint
   */
  E endpoint();

  /**
   * The request completed successfully (an L4 connection closed cleanly, a call returned).
   *
   * @param latencyNanos how long it took, at least 0; feeds the latency estimate
   */
  void onSuccess(long latencyNanos);

  /**
   * The request failed locally: connection refused or reset, timeout, protocol error. Counts
   * towards consecutive-failure and success-rate outlier detection.
   *
   * @param latencyNanos how long it took until the failure, at least 0
   */
  void onFailure(long latencyNanos);

  /**
   * An HTTP response arrived. A status of 500 or more counts as a failure (consecutive 5xx,
   * consecutive failures, success rate); anything else as a success.
   *
   * @param status the HTTP status, 100 to 599
   * @param latencyNanos time to the response, at least 0
   * @throws IllegalArgumentException if {@code status} is outside [100, 599]
   */
  void onResponse(int status, long latencyNanos);

  /**
   * The request never reached the endpoint (cancelled before sending): stop counting it, record
   * nothing.
   */
  void release();
}
