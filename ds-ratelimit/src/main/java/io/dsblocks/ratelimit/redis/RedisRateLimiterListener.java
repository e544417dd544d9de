package io.dsblocks.ratelimit.redis;

/**
 * Receives what a {@link RedisRateLimiter} does. Every method has an empty default, so implement
 * only what you need. Methods are called synchronously on the deciding thread (for asynchronous
 * calls: a Lettuce I/O thread), so they must be fast and must not block or throw; an exception
 * thrown by a listener is caught and ignored.
 *
 * <p>The limiter costs nothing extra (no allocation, no call) while no listener is registered.
 * Implementations must be thread-safe: several threads may report at once.
 */
public interface RedisRateLimiterListener {

  /**
   * A decision was made (by Redis, from a local batch, or by the failure mode).
   *
   * @param key the user key (without prefix)
   * @param permits permits requested
   * @param permitted whether they were granted
   */
  default void onDecision(String key, long permits, boolean permitted) {}

  /**
   * A Redis call failed (timeout, connection lost or refused, script error); the configured {@link
   * FailureMode} decided instead.
   *
   * @param key the user key (without prefix)
   * @param error what went wrong
   * @param mode the failure mode that decided
   * @param permitted what it decided
   */
  default void onRedisError(String key, Throwable error, FailureMode mode, boolean permitted) {}

  /**
   * Redis answered {@code NOSCRIPT} (its script cache was emptied, for example by a restart) and
   * the script was sent again with {@code EVAL}, which also caches it for later {@code EVALSHA}.
   */
  default void onScriptReloaded() {}
}
