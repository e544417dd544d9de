package io.dsblocks.ratelimit.adaptive;

/**
 * Computes a concurrency limit from observed samples: the pluggable brain of an {@link
 * AdaptiveLimiter}. Provided: {@link AimdLimit}, {@link VegasLimit}, {@link Gradient2Limit}.
 *
 * <p>Thread-safety: an algorithm instance belongs to one limiter, which calls {@link #update} from
 * at most one thread at a time (it skips a sample rather than block when another thread is
 * updating), so implementations may keep plain mutable state. Do not share an instance between
 * limiters.
 */
public interface LimitAlgorithm {

  /**
   * Returns the limit to start with.
   *
   * @return at least 1
   */
  int initialLimit();

  /**
   * Feeds one sample and returns the new limit.
   *
   * @param rttNanos the call's round-trip time in nanoseconds (meaningless when {@code dropped})
   * @param inFlight calls in flight when this one completed, including it
   * @param dropped whether the call was dropped, timed out or rejected downstream (overload signal)
   * @return the new limit, at least 1
   */
  int update(long rttNanos, int inFlight, boolean dropped);
}
