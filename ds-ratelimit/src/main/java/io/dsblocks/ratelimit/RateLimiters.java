package io.dsblocks.ratelimit;

import io.dsblocks.ratelimit.internal.FixedWindowRateLimiter;
import io.dsblocks.ratelimit.internal.LocalKeyedRateLimiter;
import io.dsblocks.ratelimit.internal.MultiBandwidthRateLimiter;
import io.dsblocks.ratelimit.internal.SlidingWindowCounterRateLimiter;
import io.dsblocks.ratelimit.internal.SlidingWindowLogRateLimiter;
import io.dsblocks.ratelimit.internal.SmoothRateLimiter;
import io.dsblocks.ratelimit.internal.TatRateLimiter;
import io.dsblocks.ratelimit.internal.WarmingUpRateLimiter;
import java.time.Duration;
import java.util.Objects;

/**
 * Static factories for rate limiters. The short forms use the system ticker and default options;
 * {@link #create(RateLimiterConfig)} takes everything a {@link RateLimiterConfig} can say.
 *
 * <pre>{@code
 * RateLimiter api = RateLimiters.tokenBucket(100, Duration.ofSeconds(1)); // 100/s, burst 100
 * if (!api.tryAcquire()) {
 *   throw new RequestNotPermitted(api.name(), api.nanosUntilAvailable(1));
 * }
 * KeyedRateLimiter<String> perUser = RateLimiters.keyed(api.config());
 * }</pre>
 *
 * <p>This class is stateless and thread-safe; the limiters it returns are thread-safe.
 */
public final class RateLimiters {

  /** The default most keys held by {@link #keyed(RateLimiterConfig)}. */
  public static final long DEFAULT_MAX_KEYS = 100_000;

  private RateLimiters() {}

  /**
   * A token bucket of {@code capacity} permits, refilled at {@code capacity / refillPeriod}; it
   * starts full, so a burst of {@code capacity} is allowed.
   *
   * @param capacity bucket size and permits per period, at least 1
   * @param refillPeriod time to refill an empty bucket, positive
   * @return a new limiter
   * @throws IllegalArgumentException if a value is out of range
   */
  public static RateLimiter tokenBucket(long capacity, Duration refillPeriod) {
    return tokenBucket(capacity, refillPeriod, Ticker.system());
  }

  /**
   * A token bucket as {@link #tokenBucket(long, Duration)}, reading time from {@code ticker}.
   *
   * @param capacity bucket size and permits per period, at least 1
   * @param refillPeriod time to refill an empty bucket, positive
   * @param ticker the time source
   * @return a new limiter
   */
  public static RateLimiter tokenBucket(long capacity, Duration refillPeriod, Ticker ticker) {
    return create(
        RateLimiterConfig.builder()
            .name("token-bucket")
            .algorithm(RateLimiterConfig.Algorithm.TOKEN_BUCKET)
            .limit(capacity, refillPeriod)
            .ticker(ticker)
            .build());
  }

  /**
   * A GCRA limiter: {@code rate} permits per {@code period}, tolerating bursts of {@code burst}.
   *
   * @param rate permits per period, at least 1
   * @param period the period, positive
   * @param burst the most permits admitted at once, at least 1
   * @return a new limiter
   * @throws IllegalArgumentException if a value is out of range
   */
  public static RateLimiter gcra(long rate, Duration period, long burst) {
    return gcra(rate, period, burst, Ticker.system());
  }

  /**
   * A GCRA limiter as {@link #gcra(long, Duration, long)}, reading time from {@code ticker}.
   *
   * @param rate permits per period, at least 1
   * @param period the period, positive
   * @param burst the most permits admitted at once, at least 1
   * @param ticker the time source
   * @return a new limiter
   */
  public static RateLimiter gcra(long rate, Duration period, long burst, Ticker ticker) {
    return create(
        RateLimiterConfig.builder()
            .name("gcra")
            .algorithm(RateLimiterConfig.Algorithm.GCRA)
            .limit(rate, period)
            .burst(burst)
            .ticker(ticker)
            .build());
  }

  /**
   * A smooth limiter: permits evenly spaced at {@code rate / period}, no bursts.
   *
   * @param rate permits per period, at least 1
   * @param period the period, positive
   * @return a new limiter
   */
  public static RateLimiter smooth(long rate, Duration period) {
    return smooth(rate, period, Duration.ZERO);
  }

  /**
   * A smooth limiter that, after idling, starts at a third of the rate and warms up to it over
   * {@code warmup}.
   *
   * @param rate permits per period, at least 1
   * @param period the period, positive
   * @param warmup the warm-up period; zero for none
   * @return a new limiter
   */
  public static RateLimiter smooth(long rate, Duration period, Duration warmup) {
    return create(
        RateLimiterConfig.builder()
            .name("smooth")
            .algorithm(RateLimiterConfig.Algorithm.SMOOTH)
            .limit(rate, period)
            .warmup(warmup)
            .build());
  }

  /**
   * A fixed-window limiter: at most {@code limit} permits per window.
   *
   * @param limit permits per window, in [1, 2^31 - 1]
   * @param window the window length, positive
   * @return a new limiter
   */
  public static RateLimiter fixedWindow(long limit, Duration window) {
    return window(RateLimiterConfig.Algorithm.FIXED_WINDOW, "fixed-window", limit, window);
  }

  /**
   * An exact sliding-window limiter: at most {@code limit} permits in any interval of length {@code
   * window}. Keeps one timestamp per permit of limit.
   *
   * @param limit permits per window, in [1, 2^20]
   * @param window the window length, positive
   * @return a new limiter
   */
  public static RateLimiter slidingWindowLog(long limit, Duration window) {
    return window(RateLimiterConfig.Algorithm.SLIDING_WINDOW_LOG, "sliding-log", limit, window);
  }

  /**
   * An approximate sliding-window limiter built from two window counts (see {@link
   * RateLimiterConfig.Algorithm#SLIDING_WINDOW_COUNTER}).
   *
   * @param limit permits per window, in [1, 2^22 - 1]
   * @param window the window length, positive
   * @return a new limiter
   */
  public static RateLimiter slidingWindowCounter(long limit, Duration window) {
    return window(
        RateLimiterConfig.Algorithm.SLIDING_WINDOW_COUNTER, "sliding-counter", limit, window);
  }

  private static RateLimiter window(
      RateLimiterConfig.Algorithm algorithm, String name, long limit, Duration window) {
    return create(
        RateLimiterConfig.builder().name(name).algorithm(algorithm).limit(limit, window).build());
  }

  /**
   * Creates the limiter a configuration describes.
   *
   * @param config the configuration
   * @return a new limiter
   */
  public static RateLimiter create(RateLimiterConfig config) {
    Objects.requireNonNull(config, "config");
    switch (config.algorithm()) {
      case TOKEN_BUCKET:
        return config.bandwidths().size() > 1
            ? new MultiBandwidthRateLimiter(config)
            : new TatRateLimiter(config);
      case GCRA:
        return new TatRateLimiter(config);
      case SMOOTH:
        return config.warmup().isZero()
            ? new SmoothRateLimiter(config)
            : new WarmingUpRateLimiter(config);
      case FIXED_WINDOW:
        return new FixedWindowRateLimiter(config);
      case SLIDING_WINDOW_LOG:
        return new SlidingWindowLogRateLimiter(config);
      case SLIDING_WINDOW_COUNTER:
        return new SlidingWindowCounterRateLimiter(config);
      default:
        throw new AssertionError(config.algorithm());
    }
  }

  /**
   * A per-key limiter: each key gets its own limiter built from {@code perKeyConfig}, at most
   * {@link #DEFAULT_MAX_KEYS} keys are held, and a key idle long enough to be back in its initial
   * state is dropped.
   *
   * @param perKeyConfig configuration of each key's limiter
   * @param <K> key type
   * @return a new keyed limiter
   */
  public static <K> KeyedRateLimiter<K> keyed(RateLimiterConfig perKeyConfig) {
    Objects.requireNonNull(perKeyConfig, "perKeyConfig");
    return keyed(perKeyConfig, DEFAULT_MAX_KEYS, LocalKeyedRateLimiter.defaultExpiry(perKeyConfig));
  }

  /**
   * A per-key limiter with explicit memory bounds. When more than {@code maxKeys} keys are active,
   * the least valuable are evicted and restart with a fresh limiter; that is the price of a bounded
   * heap under a flood of distinct keys.
   *
   * @param perKeyConfig configuration of each key's limiter
   * @param maxKeys most keys held at once, at least 1
   * @param expireAfterAccess idle time after which a key is dropped, positive
   * @param <K> key type
   * @return a new keyed limiter
   */
  public static <K> KeyedRateLimiter<K> keyed(
      RateLimiterConfig perKeyConfig, long maxKeys, Duration expireAfterAccess) {
    return new LocalKeyedRateLimiter<>(perKeyConfig, maxKeys, expireAfterAccess);
  }
}
