package io.dsblocks.ratelimit;

/**
 * A rate limit applied separately per key (user, client IP, API key, ...).
 *
 * <p>Local implementations ({@link RateLimiters#keyed}) keep one limiter per active key with
 * bounded memory (idle keys expire); distributed implementations (for example {@code
 * io.dsblocks.ratelimit.redis.RedisRateLimiter}) keep the state on a server. Implementations are
 * thread-safe.
 *
 * @param <K> key type; keys must implement {@code equals}/{@code hashCode} consistently
 */
public interface KeyedRateLimiter<K> {

  /**
   * Takes {@code permits} for {@code key} now if available.
   *
   * @param key the key, not null
   * @param permits number of permits, at least 1
   * @return whether the permits were taken
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code permits} is out of range
   */
  boolean tryAcquire(K key, long permits);

  /**
   * Takes one permit for {@code key} now if available.
   *
   * @param key the key, not null
   * @return whether the permit was taken
   */
  default boolean tryAcquire(K key) {
    return tryAcquire(key, 1);
  }

  /**
   * Returns the nanoseconds until {@code permits} would be available for {@code key}.
   *
   * @param key the key
   * @param permits number of permits
   * @return {@code 0} if available now, otherwise nanoseconds to wait
   */
  long nanosUntilAvailable(K key, long permits);
}
