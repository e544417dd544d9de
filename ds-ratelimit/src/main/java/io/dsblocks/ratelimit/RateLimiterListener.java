package io.dsblocks.ratelimit;

/**
 * Receives a {@link RateLimiter}'s decisions, synchronously on the calling thread. All methods have
 * empty defaults; implement only what you need.
 *
 * <p>A limiter with no listener skips the notification code entirely, so listening costs nothing
 * unless used. Implementations must be thread-safe (they are called concurrently by every thread
 * that uses the limiter), fast and must not throw: an exception from a listener propagates to the
 * caller of the limiter after the decision has been taken.
 */
public interface RateLimiterListener {

  /**
   * Called when permits were granted.
   *
   * @param limiter the limiter
   * @param permits the permits granted
   * @param waitNanos how long the caller must wait before using them ({@code 0} = now)
   */
  default void onPermitted(RateLimiter limiter, long permits, long waitNanos) {}

  /**
   * Called when permits were refused.
   *
   * @param limiter the limiter
   * @param permits the permits requested
   * @param enforced {@code false} in shadow mode, where the caller was let through anyway
   */
  default void onRejected(RateLimiter limiter, long permits, boolean enforced) {}

  /**
   * Called after {@link RateLimiter#reconfigure} replaced the configuration.
   *
   * @param limiter the limiter
   * @param oldConfig the configuration before
   * @param newConfig the configuration now in force
   */
  default void onReconfigured(
      RateLimiter limiter, RateLimiterConfig oldConfig, RateLimiterConfig newConfig) {}
}
