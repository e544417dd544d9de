package io.dsblocks.ratelimit;

/**
 * Thrown by decorated calls when a rate limiter refuses a call. Carries the limiter's name and the
 * time until the requested permits would be available, so callers can answer with a {@code
 * Retry-After}.
 *
 * <p>Instances are immutable and therefore thread-safe.
 */
public final class RequestNotPermitted extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String limiterName;
  private final long retryAfterNanos;

  /**
   * Creates the exception.
   *
   * @param limiterName name of the limiter that refused the call
   * @param retryAfterNanos nanoseconds until the permits may be available; negative if unknown
   */
  public RequestNotPermitted(String limiterName, long retryAfterNanos) {
    super(
        "Rate limiter '"
            + limiterName
            + "' does not permit further calls"
            + (retryAfterNanos >= 0 ? "; retry after " + retryAfterNanos + " ns" : ""),
        null,
        false,
        false);
    this.limiterName = limiterName;
    this.retryAfterNanos = retryAfterNanos;
  }

  /**
   * Returns the name of the limiter that refused the call.
   *
   * @return the limiter name
   */
  public String limiterName() {
    return limiterName;
  }

  /**
   * Returns the nanoseconds until the requested permits may be available.
   *
   * @return nanoseconds, or a negative value when unknown
   */
  public long retryAfterNanos() {
    return retryAfterNanos;
  }
}
