package io.dsblocks.ratelimit.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dsblocks.ratelimit.KeyedRateLimiter;
import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.RateLimiters;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * One local limiter per key, held in a Caffeine cache bounded by size and expiring idle keys, so a
 * flood of distinct keys costs at most {@code maxKeys} limiters of memory.
 *
 * <p>The default idle expiry is long enough that an idle key's limiter is back in its initial state
 * (bucket full, windows empty) when it expires, so expiry never gives a key more than its limit.
 * Eviction by size, in contrast, does forget the state of a key that is still active: the bound is
 * what keeps the heap safe, and the key restarts with a fresh limiter (document this to whoever
 * sizes {@code maxKeys}).
 *
 * <p>Caffeine's maintenance runs on the calling threads (no executor threads), and its clock is the
 * configuration's ticker, so tests control expiry. Thread-safe.
 *
 * @param <K> key type
 */
public final class LocalKeyedRateLimiter<K> implements KeyedRateLimiter<K> {

  private final RateLimiterConfig config;
  private final Cache<K, RateLimiter> limiters;
  private final Function<K, RateLimiter> factory;
  private final long maxPermits;

  /**
   * Creates the keyed limiter.
   *
   * @param config configuration of each key's limiter
   * @param maxKeys most keys held at once, at least 1
   * @param expireAfterAccess idle time after which a key's limiter is dropped, positive
   */
  public LocalKeyedRateLimiter(RateLimiterConfig config, long maxKeys, Duration expireAfterAccess) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(expireAfterAccess, "expireAfterAccess");
    if (maxKeys < 1) {
      throw new IllegalArgumentException(
          "maxKeys must be in [1, " + Long.MAX_VALUE + "] but was " + maxKeys);
    }
    if (expireAfterAccess.isNegative() || expireAfterAccess.isZero()) {
      throw new IllegalArgumentException(
          "expireAfterAccess must be positive but was " + expireAfterAccess);
    }
    this.maxPermits = config.maxPermitsPerCall();
    this.factory = key -> RateLimiters.create(config);
    this.limiters =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .expireAfterAccess(expireAfterAccess)
            .ticker(config.ticker()::read)
            .executor(Runnable::run)
            .build();
  }

  /**
   * The idle time after which a key's limiter is certainly back in its initial state: the longest
   * refill of any bandwidth, two windows (the sliding counter remembers the previous one), and the
   * warm-up.
   *
   * @param config the per-key configuration
   * @return the default {@code expireAfterAccess}
   */
  public static Duration defaultExpiry(RateLimiterConfig config) {
    Duration longest = config.period().multipliedBy(2);
    Duration bucket = Duration.ofNanos(config.burst() * config.nanosPerPermit());
    if (bucket.compareTo(longest) > 0) {
      longest = bucket;
    }
    for (RateLimiterConfig.Bandwidth b : config.bandwidths()) {
      Duration full = Duration.ofNanos(b.capacity() * b.nanosPerPermit());
      if (full.compareTo(longest) > 0) {
        longest = full;
      }
    }
    return longest.plus(config.warmup());
  }

  @Override
  public boolean tryAcquire(K key, long permits) {
    Objects.requireNonNull(key, "key");
    checkPermits(permits);
    return limiters.get(key, factory).tryAcquire(permits);
  }

  @Override
  public long nanosUntilAvailable(K key, long permits) {
    Objects.requireNonNull(key, "key");
    checkPermits(permits);
    RateLimiter l = limiters.getIfPresent(key);
    return l == null ? 0 : l.nanosUntilAvailable(permits);
  }

  /**
   * Returns the limiter of {@code key}, creating it if absent (for reservations, listeners and
   * statistics of one key).
   *
   * @param key the key
   * @return the key's limiter
   */
  public RateLimiter limiter(K key) {
    Objects.requireNonNull(key, "key");
    return limiters.get(key, factory);
  }

  /**
   * Returns the approximate number of keys held.
   *
   * @return the number of live limiters
   */
  public long estimatedSize() {
    return limiters.estimatedSize();
  }

  /** Runs pending expiry and eviction now (they otherwise piggyback on calls). */
  public void cleanUp() {
    limiters.cleanUp();
  }

  /**
   * Returns the per-key configuration.
   *
   * @return the configuration each key's limiter uses
   */
  public RateLimiterConfig config() {
    return config;
  }

  private void checkPermits(long permits) {
    if (permits < 1 || permits > maxPermits) {
      throw new IllegalArgumentException(
          "permits must be in [1, " + maxPermits + "] (the limiter's burst) but was " + permits);
    }
  }
}
