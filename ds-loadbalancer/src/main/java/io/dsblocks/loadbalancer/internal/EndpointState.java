package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.Selection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One member of a {@link DefaultLoadBalancer}: its lock-free counters and its health state. It is
 * also the {@link Selection} that {@code pick} returns, which is what keeps {@code pick}
 * allocation-free: the handle is per endpoint, not per request.
 *
 * <p>Counters are plain {@code volatile} fields updated through {@link VarHandle}s (no extra
 * objects per endpoint, no locks). Health fields ({@code healthy}, {@code ejected}, ...) are
 * written only under the owner's lock and read racily by {@code status}.
 *
 * <p>Thread-safety: thread-safe; every {@link Selection} method is lock-free.
 *
 * @param <E> endpoint type
 */
public final class EndpointState<E extends Endpoint> implements Selection<E> {
  private static final VarHandle IN_FLIGHT;
  private static final VarHandle EWMA_BITS;
  private static final VarHandle FAILURES;
  private static final VarHandle FAILURES_5XX;
  private static final VarHandle INTERVAL;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      IN_FLIGHT = l.findVarHandle(EndpointState.class, "inFlight", long.class);
      EWMA_BITS = l.findVarHandle(EndpointState.class, "ewmaBits", long.class);
      FAILURES = l.findVarHandle(EndpointState.class, "consecutiveFailures", int.class);
      FAILURES_5XX = l.findVarHandle(EndpointState.class, "consecutive5xx", int.class);
      INTERVAL = l.findVarHandle(EndpointState.class, "intervalCounts", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code availableSince} value meaning "not ramping up". */
  static final long NOT_RAMPING = Long.MIN_VALUE;

  final DefaultLoadBalancer<E> owner;
  final String id;
  volatile E endpoint;

  // Lock-free counters.
  private volatile long inFlight;
  private volatile long ewmaBits;
  private volatile long ewmaStamp;
  private volatile int consecutiveFailures;
  private volatile int consecutive5xx;

  /** Failures of the current outlier interval in the high 32 bits, requests in the low 32 bits. */
  private volatile long intervalCounts;

  // Written under the owner's lock; volatile so status() and pick-side reads see them.
  volatile boolean healthy = true;
  volatile boolean ejected;
  volatile int ejectionCount;
  volatile boolean available;
  volatile double weightFactor = 1.0;
  long ejectedUntil;
  long availableSince = NOT_RAMPING;
  boolean removed;

  EndpointState(DefaultLoadBalancer<E> owner, E endpoint, double initialLatency, long now) {
    this.owner = owner;
    this.id = endpoint.id();
    this.endpoint = endpoint;
    this.ewmaBits = Double.doubleToRawLongBits(initialLatency);
    this.ewmaStamp = now;
  }

  /**
   * The endpoint's id.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  @Override
  public E endpoint() {
    return endpoint;
  }

  /**
   * Requests picked and not yet reported.
   *
   * @return the in-flight count
   */
  public long inFlight() {
    return inFlight;
  }

  /** Counts one more in-flight request; called by the balancer once per pick. */
  public void begin() {
    // Total first, endpoint second (and the reverse in end()): the total then never lags behind
    // the sum of the endpoint counts, which bounded loads rely on.
    if (owner != null && owner.totalInFlight != null) {
      owner.totalInFlight.increment();
    }
    IN_FLIGHT.getAndAdd(this, 1L);
  }

  /**
   * Counts one request less, never going below zero (a duplicate report is ignored rather than
   * corrupting the count).
   *
   * @return true if a request was counted down
   */
  public boolean end() {
    long v;
    do {
      v = inFlight;
      if (v <= 0) {
        return false;
      }
    } while (!IN_FLIGHT.weakCompareAndSet(this, v, v - 1));
    if (owner != null && owner.totalInFlight != null) {
      owner.totalInFlight.decrement();
    }
    return true;
  }

  @Override
  public void onSuccess(long latencyNanos) {
    checkLatency(latencyNanos);
    end();
    owner.recordSuccess(this, latencyNanos);
  }

  @Override
  public void onFailure(long latencyNanos) {
    checkLatency(latencyNanos);
    end();
    owner.recordFailure(this, latencyNanos, false);
  }

  @Override
  public void onResponse(int status, long latencyNanos) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in [100, 599], was " + status);
    }
    checkLatency(latencyNanos);
    end();
    if (status >= 500) {
      owner.recordFailure(this, latencyNanos, true);
    } else {
      owner.recordSuccess(this, latencyNanos);
    }
  }

  @Override
  public void release() {
    end();
  }

  private static void checkLatency(long latencyNanos) {
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latencyNanos must be >= 0, was " + latencyNanos);
    }
  }

  // ---- peak EWMA ---------------------------------------------------------------------------

  /**
   * The latency estimate decayed to {@code now}: it falls towards zero while no samples arrive
   * (Finagle/Linkerd's peak EWMA), so an endpoint that was slow a while ago gets probed again. Pure
   * read: picks never write here, so they do not contend.
   *
   * @param now ticker reading
   * @param tauNanos decay time constant
   * @return the estimate in nanoseconds
   */
  public double latencyEstimate(long now, double tauNanos) {
    long stamp = ewmaStamp;
    double v = Double.longBitsToDouble(ewmaBits);
    long dt = now - stamp;
    return dt <= 0 ? v : v * Math.exp(-dt / tauNanos);
  }

  /**
   * The stored (not decayed) latency estimate; see {@link #latencyStamp()}.
   *
   * @return nanoseconds, as of the stamp
   */
  double rawLatencyEstimate() {
    return Double.longBitsToDouble(ewmaBits);
  }

  /**
   * When the stored estimate was last updated.
   *
   * @return a ticker reading
   */
  long latencyStamp() {
    return ewmaStamp;
  }

  /**
   * Folds one latency sample into the estimate: a sample above the current (decayed) estimate
   * replaces it (the "peak" part, so a slowdown shows at once), a lower one is blended in with the
   * weight {@code 1 - exp(-elapsed / tau)}. The value is CAS-updated; the time stamp is written
   * after it, so a racing reader may decay from a slightly older stamp (an error of microseconds of
   * decay, never a torn value).
   *
   * @param now ticker reading
   * @param sampleNanos the observed latency
   * @param tauNanos decay time constant
   * @param failure whether the request failed: a failure never lowers the estimate, so an endpoint
   *     that fails fast does not attract traffic
   */
  void observeLatency(long now, double sampleNanos, double tauNanos, boolean failure) {
    for (; ; ) {
      long bits = ewmaBits;
      long stamp = ewmaStamp;
      double v = Double.longBitsToDouble(bits);
      long dt = Math.max(0L, now - stamp);
      double w = Math.exp(-dt / tauNanos);
      double decayed = v * w;
      double sample = failure ? Math.max(sampleNanos, v) : sampleNanos;
      double next = sample > decayed ? sample : decayed + sample * (1.0 - w);
      if (EWMA_BITS.compareAndSet(this, bits, Double.doubleToRawLongBits(next))) {
        if (now - stamp > 0) {
          ewmaStamp = now;
        }
        return;
      }
    }
  }

  // ---- outlier detection counters ----------------------------------------------------------

  /**
   * Counts one more consecutive failure.
   *
   * @return the count including this failure
   */
  public int recordConsecutiveFailure() {
    return (int) FAILURES.getAndAdd(this, 1) + 1;
  }

  /**
   * Counts one more consecutive 5xx response.
   *
   * @return the count including this one
   */
  public int recordConsecutive5xx() {
    return (int) FAILURES_5XX.getAndAdd(this, 1) + 1;
  }

  /**
   * A success ends both runs. Skips the write when they are already zero, so a healthy endpoint's
   * successes do not bounce its cache line between cores.
   */
  public void resetConsecutive() {
    if (consecutiveFailures != 0) {
      consecutiveFailures = 0;
    }
    if (consecutive5xx != 0) {
      consecutive5xx = 0;
    }
  }

  /**
   * Current consecutive failures.
   *
   * @return the count
   */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /**
   * Current consecutive 5xx responses.
   *
   * @return the count
   */
  public int consecutive5xx() {
    return consecutive5xx;
  }

  void countInterval(boolean failure) {
    INTERVAL.getAndAdd(this, failure ? (1L << 32) + 1L : 1L);
  }

  /** Reads and clears the interval counts in one atomic step: failures high, total low. */
  long drainInterval() {
    return (long) INTERVAL.getAndSet(this, 0L);
  }

  @Override
  public String toString() {
    return id
        + "{inFlight="
        + inFlight
        + (healthy ? "" : ", unhealthy")
        + (ejected ? ", ejected" : "")
        + '}';
  }
}
