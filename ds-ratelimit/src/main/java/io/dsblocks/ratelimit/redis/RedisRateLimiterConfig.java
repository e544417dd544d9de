package io.dsblocks.ratelimit.redis;

import io.dsblocks.ratelimit.KeyedRateLimiter;
import io.dsblocks.ratelimit.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Immutable configuration of a {@link RedisRateLimiter}: "{@code rate} permits per {@code period}
 * per key, bursts of up to {@code burst}", plus how to talk to Redis and what to do when it is
 * unavailable. Build one with {@link #builder()}; every value is validated in {@link
 * Builder#build()}.
 *
 * <p>All limiter instances that share a key prefix on the same Redis must use the same rate,
 * period, burst and algorithm: the state stored in Redis is interpreted with the parameters of the
 * caller.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RedisRateLimiterConfig {

  /** Largest {@code burst * period} in microseconds: the script keeps it exact in a Lua double. */
  static final long MAX_SCALED_CAPACITY = 1L << 53;

  static final long MAX_RATE = 1_000_000_000L;
  static final Duration MIN_PERIOD = Duration.ofMillis(1);
  static final Duration MAX_PERIOD = Duration.ofDays(1);
  static final Duration MAX_COMMAND_TIMEOUT = Duration.ofMinutes(1);
  static final int MAX_BATCH = 1_000_000;
  static final long GCRA_MIN_INTERVAL_MICROS = 10;

  private final String name;
  private final long rate;
  private final Duration period;
  private final long burst;
  private final RedisAlgorithm algorithm;
  private final String keyPrefix;
  private final Duration commandTimeout;
  private final FailureMode failureMode;
  private final double fallbackFraction;
  private final Function<RedisRateLimiterConfig, KeyedRateLimiter<String>> fallbackFactory;
  private final int localBatchSize;
  private final Duration localBatchMaxAge;
  // What the user set (null = default), so toBuilder().localBatchSize(n) recomputes the default.
  private final Duration explicitLocalBatchMaxAge;
  private final long maxLocalBatchKeys;
  private final Ticker ticker;

  private RedisRateLimiterConfig(Builder b) {
    this.name = b.name;
    this.rate = b.rate;
    this.period = b.period;
    this.burst = b.burstSet ? b.burst : b.rate;
    this.algorithm = b.algorithm;
    this.keyPrefix = b.keyPrefix;
    this.commandTimeout = b.commandTimeout;
    this.failureMode = b.failureMode;
    this.fallbackFraction = b.fallbackFraction;
    this.fallbackFactory = b.fallbackFactory;
    this.localBatchSize = b.localBatchSize;
    this.localBatchMaxAge =
        b.localBatchMaxAge != null
            ? b.localBatchMaxAge
            // Default: a batch may live as long as Redis needs to refill it, so batched permits are
            // never older than the capacity they represent.
            : Duration.ofNanos(Math.max(1, Math.multiplyExact(b.localBatchSize, intervalNanos())));
    this.explicitLocalBatchMaxAge = b.localBatchMaxAge;
    this.maxLocalBatchKeys = b.maxLocalBatchKeys;
    this.ticker = b.ticker;
  }

  /**
   * Returns a new builder with the defaults: name {@code "redis"}, burst = rate, {@link
   * RedisAlgorithm#TOKEN_BUCKET}, key prefix {@code "dsblocks:rl:"}, command timeout 250 ms, {@link
   * FailureMode#FAIL_OPEN}, fallback fraction 1.0, no local batching, system ticker. Rate and
   * period have no default and must be set.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialised with this configuration's values.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.rate = rate;
    b.period = period;
    b.burst = burst;
    b.burstSet = true;
    b.algorithm = algorithm;
    b.keyPrefix = keyPrefix;
    b.commandTimeout = commandTimeout;
    b.failureMode = failureMode;
    b.fallbackFraction = fallbackFraction;
    b.fallbackFactory = fallbackFactory;
    b.localBatchSize = localBatchSize;
    b.localBatchMaxAge = explicitLocalBatchMaxAge;
    b.maxLocalBatchKeys = maxLocalBatchKeys;
    b.ticker = ticker;
    return b;
  }

  /**
   * Returns the limiter name used in events and metrics.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the number of permits refilled per {@link #period()}.
   *
   * @return the rate, at least 1
   */
  public long rate() {
    return rate;
  }

  /**
   * Returns the period over which {@link #rate()} permits are refilled.
   *
   * @return the period
   */
  public Duration period() {
    return period;
  }

  /**
   * Returns the largest number of permits available at once (bucket capacity / burst tolerance).
   *
   * @return the burst, at least 1
   */
  public long burst() {
    return burst;
  }

  /**
   * Returns the algorithm evaluated on the server.
   *
   * @return the algorithm
   */
  public RedisAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * Returns the prefix prepended to every user key to form the Redis key.
   *
   * @return the prefix, possibly empty
   */
  public String keyPrefix() {
    return keyPrefix;
  }

  /**
   * Returns how long a decision waits for Redis before the failure mode applies.
   *
   * @return the timeout
   */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * Returns what to decide when Redis is unavailable.
   *
   * @return the failure mode
   */
  public FailureMode failureMode() {
    return failureMode;
  }

  /**
   * Returns the fraction of rate and burst given to the local fallback limiter in {@link
   * FailureMode#FALLBACK_LOCAL}.
   *
   * @return a fraction in {@code (0, 1]}
   */
  public double fallbackFraction() {
    return fallbackFraction;
  }

  /**
   * Returns the factory that creates the local fallback limiter, or {@code null} for the built-in
   * one (a {@link io.dsblocks.ratelimit.RateLimiters#keyed(io.dsblocks.ratelimit.RateLimiterConfig)
   * keyed} GCRA limiter at {@link #fallbackFraction()} of the rate and burst).
   *
   * @return the factory or {@code null}
   */
  public Function<RedisRateLimiterConfig, KeyedRateLimiter<String>> fallbackFactory() {
    return fallbackFactory;
  }

  /**
   * Returns how many permits one Redis call takes for a key when local batching is on; {@code 1}
   * means batching is off.
   *
   * @return the batch size, at least 1
   */
  public int localBatchSize() {
    return localBatchSize;
  }

  /**
   * Returns how long permits taken in a batch may be served locally before unused ones are
   * discarded.
   *
   * @return the maximum age
   */
  public Duration localBatchMaxAge() {
    return localBatchMaxAge;
  }

  /**
   * Returns the most keys for which local batches are kept (memory bound).
   *
   * @return the bound, at least 1
   */
  public long maxLocalBatchKeys() {
    return maxLocalBatchKeys;
  }

  /**
   * Returns the ticker used for local state (batch expiry and the fallback limiter). Redis
   * decisions use the Redis server's clock, never this one.
   *
   * @return the ticker
   */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * Returns the time between two permits at the configured rate, {@code period / rate}.
   *
   * @return nanoseconds per permit (rounded down, at least 1)
   */
  public long intervalNanos() {
    return Math.max(1, period.toNanos() / rate);
  }

  /** The rate divided by gcd(rate, period in us): what the scripts receive as "rate". */
  long scriptRate() {
    return rate / gcd(rate, period.toNanos() / 1_000);
  }

  /**
   * The period in microseconds divided by gcd(rate, period in us). The token bucket keeps tokens in
   * units of 1/scriptPeriod; reducing the fraction keeps {@code burst * scriptPeriod} small enough
   * to stay exact (e.g. a million per day needs 8.64e10 units, not 8.64e16).
   */
  long scriptPeriodMicros() {
    long periodMicros = period.toNanos() / 1_000;
    return periodMicros / gcd(rate, periodMicros);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  @Override
  public String toString() {
    return "RedisRateLimiterConfig{name="
        + name
        + ", rate="
        + rate
        + ", period="
        + period
        + ", burst="
        + burst
        + ", algorithm="
        + algorithm
        + ", keyPrefix='"
        + keyPrefix
        + "', commandTimeout="
        + commandTimeout
        + ", failureMode="
        + failureMode
        + ", fallbackFraction="
        + fallbackFraction
        + ", localBatchSize="
        + localBatchSize
        + ", localBatchMaxAge="
        + localBatchMaxAge
        + "}";
  }

  /**
   * Builds a {@link RedisRateLimiterConfig}. Setters check for {@code null}; ranges are checked in
   * {@link #build()}.
   *
   * <p>Builders are not thread-safe; confine one to a thread.
   */
  public static final class Builder {
    private String name = "redis";
    private long rate;
    private Duration period;
    private long burst;
    private boolean burstSet;
    private RedisAlgorithm algorithm = RedisAlgorithm.TOKEN_BUCKET;
    private String keyPrefix = "dsblocks:rl:";
    private Duration commandTimeout = Duration.ofMillis(250);
    private FailureMode failureMode = FailureMode.FAIL_OPEN;
    private double fallbackFraction = 1.0;
    private Function<RedisRateLimiterConfig, KeyedRateLimiter<String>> fallbackFactory;
    private int localBatchSize = 1;
    private Duration localBatchMaxAge;
    private long maxLocalBatchKeys = 100_000;
    private Ticker ticker = Ticker.system();

    private Builder() {}

    /**
     * Sets the name used in events and metrics.
     *
     * @param name a non-empty name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the limit: {@code rate} permits per {@code period} for each key.
     *
     * @param rate permits per period, in {@code [1, 1000000000]}
     * @param period the period, in {@code [1 ms, 1 day]}
     * @return this builder
     */
    public Builder limit(long rate, Duration period) {
      this.rate = rate;
      this.period = Objects.requireNonNull(period, "period");
      return this;
    }

    /**
     * Sets the burst: how many permits may be taken at once after an idle period. Defaults to the
     * rate.
     *
     * @param burst at least 1; {@code burst * period} in microseconds must stay below 2^53
     * @return this builder
     */
    public Builder burst(long burst) {
      this.burst = burst;
      this.burstSet = true;
      return this;
    }

    /**
     * Sets the algorithm evaluated on the server.
     *
     * @param algorithm the algorithm
     * @return this builder
     */
    public Builder algorithm(RedisAlgorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /**
     * Sets the prefix of every Redis key (the user key is appended). Use distinct prefixes for
     * distinct limits.
     *
     * @param keyPrefix the prefix, possibly empty
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * Sets how long a decision waits for Redis before the failure mode applies.
     *
     * @param commandTimeout in {@code (0, 1 min]}
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
      return this;
    }

    /**
     * Sets what to decide when Redis is unavailable.
     *
     * @param failureMode the failure mode
     * @return this builder
     */
    public Builder failureMode(FailureMode failureMode) {
      this.failureMode = Objects.requireNonNull(failureMode, "failureMode");
      return this;
    }

    /**
     * Selects {@link FailureMode#FALLBACK_LOCAL} with a local limiter at {@code fraction} of the
     * rate and burst (burst rounded down, at least 1).
     *
     * @param fraction in {@code (0, 1]}
     * @return this builder
     */
    public Builder fallbackFraction(double fraction) {
      this.fallbackFraction = fraction;
      this.failureMode = FailureMode.FALLBACK_LOCAL;
      return this;
    }

    /**
     * Replaces the built-in local fallback limiter. The factory receives the built configuration
     * and is called once, when the Redis limiter is created with {@link
     * FailureMode#FALLBACK_LOCAL}.
     *
     * @param factory creates the fallback limiter
     * @return this builder
     */
    public Builder fallbackLimiter(
        Function<RedisRateLimiterConfig, KeyedRateLimiter<String>> factory) {
      this.fallbackFactory = Objects.requireNonNull(factory, "fallbackLimiter");
      return this;
    }

    /**
     * Turns on local batching: a call that finds no local permits for its key takes up to {@code
     * batchSize} permits from Redis in one round trip and serves the following calls locally. Cuts
     * Redis traffic for hot keys by up to {@code batchSize} times at the cost of accuracy: see
     * {@link RedisRateLimiter}.
     *
     * @param batchSize permits per Redis call, in {@code [1, burst]}; 1 turns batching off
     * @return this builder
     */
    public Builder localBatchSize(int batchSize) {
      this.localBatchSize = batchSize;
      return this;
    }

    /**
     * Sets how long batched permits may be served locally; unused ones are then discarded. Default:
     * the time Redis needs to refill one batch ({@code batchSize * period / rate}).
     *
     * @param maxAge positive
     * @return this builder
     */
    public Builder localBatchMaxAge(Duration maxAge) {
      this.localBatchMaxAge = Objects.requireNonNull(maxAge, "localBatchMaxAge");
      return this;
    }

    /**
     * Bounds the number of keys with a local batch (least recently used ones are dropped, their
     * unused permits lost). Default 100,000.
     *
     * @param maxKeys at least 1
     * @return this builder
     */
    public Builder maxLocalBatchKeys(long maxKeys) {
      this.maxLocalBatchKeys = maxKeys;
      return this;
    }

    /**
     * Sets the ticker for local state (batch expiry, fallback limiter).
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Validates the values and builds the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the field, the value and the allowed range
     */
    public RedisRateLimiterConfig build() {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("name must not be empty");
      }
      if (period == null) {
        throw new IllegalArgumentException("limit(rate, period) must be set");
      }
      if (rate < 1 || rate > MAX_RATE) {
        throw new IllegalArgumentException("rate must be in [1, " + MAX_RATE + "] but was " + rate);
      }
      if (period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_PERIOD) > 0) {
        throw new IllegalArgumentException(
            "period must be in [" + MIN_PERIOD + ", " + MAX_PERIOD + "] but was " + period);
      }
      long effectiveBurst = burstSet ? burst : rate;
      long periodMicros = period.toNanos() / 1_000;
      long unitMicros = periodMicros / gcd(rate, periodMicros);
      if (effectiveBurst < 1) {
        throw new IllegalArgumentException("burst must be >= 1 but was " + effectiveBurst);
      }
      if (effectiveBurst > MAX_SCALED_CAPACITY / unitMicros) {
        throw new IllegalArgumentException(
            "burst must be in [1, "
                + (MAX_SCALED_CAPACITY / unitMicros)
                + "] for "
                + rate
                + " per "
                + period
                + " (burst * period / gcd(rate, period), in microseconds, must stay below 2^53)"
                + " but was "
                + effectiveBurst);
      }
      if (algorithm == RedisAlgorithm.GCRA && periodMicros / rate < GCRA_MIN_INTERVAL_MICROS) {
        throw new IllegalArgumentException(
            "rate must be in [1, "
                + (periodMicros / GCRA_MIN_INTERVAL_MICROS)
                + "] per "
                + period
                + " for GCRA (period / rate must be at least "
                + GCRA_MIN_INTERVAL_MICROS
                + " microseconds; use TOKEN_BUCKET for higher rates) but was "
                + rate);
      }
      if (commandTimeout.isNegative()
          || commandTimeout.isZero()
          || commandTimeout.compareTo(MAX_COMMAND_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "commandTimeout must be in (0, " + MAX_COMMAND_TIMEOUT + "] but was " + commandTimeout);
      }
      if (!(fallbackFraction > 0.0 && fallbackFraction <= 1.0)) {
        throw new IllegalArgumentException(
            "fallbackFraction must be in (0, 1] but was " + fallbackFraction);
      }
      if (localBatchSize < 1 || localBatchSize > Math.min(effectiveBurst, MAX_BATCH)) {
        throw new IllegalArgumentException(
            "localBatchSize must be in [1, "
                + Math.min(effectiveBurst, MAX_BATCH)
                + "] (at most burst) but was "
                + localBatchSize);
      }
      if (localBatchMaxAge != null
          && (localBatchMaxAge.isNegative() || localBatchMaxAge.isZero())) {
        throw new IllegalArgumentException(
            "localBatchMaxAge must be positive but was " + localBatchMaxAge);
      }
      if (maxLocalBatchKeys < 1) {
        throw new IllegalArgumentException(
            "maxLocalBatchKeys must be >= 1 but was " + maxLocalBatchKeys);
      }
      return new RedisRateLimiterConfig(this);
    }
  }
}
