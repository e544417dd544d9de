package io.dsblocks.ratelimit;

/**
 * A snapshot of a {@link RateLimiter}'s counters since it was created.
 *
 * <p>Counting is opt-in ({@link RateLimiterConfig.Builder#recordStats()}), like Caffeine's {@code
 * recordStats()}: without it the hot path is one clock read and one compare-and-set, and every
 * counter here reads zero ({@link #recording()} is {@code false}). Counters are striped, so a
 * snapshot taken while other threads use the limiter is not an atomic cut across counters.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param recording whether the limiter records statistics at all
 * @param permittedCalls calls granted their permits (including those told to wait)
 * @param permittedPermits permits granted
 * @param rejectedCalls calls refused and enforced
 * @param shadowRejectedCalls calls that would have been refused but were let through (shadow mode)
 */
public record RateLimiterStats(
    boolean recording,
    long permittedCalls,
    long permittedPermits,
    long rejectedCalls,
    long shadowRejectedCalls) {

  /** The snapshot returned by a limiter that does not record statistics. */
  public static final RateLimiterStats DISABLED = new RateLimiterStats(false, 0, 0, 0, 0);

  /**
   * Returns every call that was decided: permitted, rejected and shadow-rejected.
   *
   * @return the number of decisions
   */
  public long totalCalls() {
    return permittedCalls + rejectedCalls + shadowRejectedCalls;
  }
}
