package io.dsblocks.ratelimit.adaptive;

/**
 * Receives an {@link AdaptiveLimiter}'s events; every method has an empty default. Callbacks run
 * synchronously on the calling thread, must be fast and thread-safe; exceptions they throw are
 * ignored. With no listener registered the limiter skips dispatch entirely.
 */
public interface AdaptiveLimiterListener {

  /**
   * Called when the algorithm changed the limit.
   *
   * @param limiterName the limiter
   * @param oldLimit the previous limit
   * @param newLimit the new limit
   */
  default void onLimitChanged(String limiterName, int oldLimit, int newLimit) {}

  /**
   * Called when a call was refused.
   *
   * @param limiterName the limiter
   * @param partition the partition the call belonged to
   */
  default void onRejected(String limiterName, String partition) {}
}
