package io.dsblocks.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable configuration of a {@link RateLimiter}: the algorithm, its limit, and the options
 * shared by all algorithms (name, ticker, shadow mode, statistics).
 *
 * <pre>{@code
 * RateLimiterConfig config = RateLimiterConfig.builder()
 *     .name("search-api")
 *     .algorithm(RateLimiterConfig.Algorithm.TOKEN_BUCKET)
 *     .limit(100, Duration.ofSeconds(1))      // refill 100 permits per second ...
 *     .burst(200)                             // ... into a bucket of 200
 *     .addBandwidth(5_000, Duration.ofHours(1)) // and at most 5000 per hour
 *     .build();
 * RateLimiter limiter = RateLimiters.create(config);
 * }</pre>
 *
 * <h2>Meaning of {@code limit(permits, period)} per algorithm</h2>
 *
 * <ul>
 *   <li>{@link Algorithm#TOKEN_BUCKET}, {@link Algorithm#GCRA}: permits are replenished at {@code
 *       permits / period}; up to {@link #burst()} (default {@code permits}) can be taken at once.
 *   <li>{@link Algorithm#SMOOTH}: permits are handed out evenly spaced, {@code period / permits}
 *       apart (a leaky bucket used as a meter); optional {@link #warmup()}.
 *   <li>{@link Algorithm#FIXED_WINDOW}, {@link Algorithm#SLIDING_WINDOW_LOG}, {@link
 *       Algorithm#SLIDING_WINDOW_COUNTER}: at most {@code permits} per window of length {@code
 *       period}.
 * </ul>
 *
 * <p>Rates are turned into a whole number of nanoseconds per permit, rounded down, so a rate above
 * one permit per nanosecond is rejected and very high rates are slightly generous (by less than one
 * nanosecond per permit: under 0.1% for rates up to a million per second).
 *
 * <h2>Reconfiguration rule</h2>
 *
 * <p>{@link RateLimiter#reconfigure} accepts a configuration with the same algorithm, name and
 * ticker (build it with {@link #toBuilder()}). The limiter keeps what its clients have already been
 * given, expressed in permits, and applies the new limit from then on:
 *
 * <ul>
 *   <li>token bucket and GCRA: the number of permits available now is kept, capped at the new
 *       burst; outstanding reservations (a negative balance) are kept in permits and repaid at the
 *       new rate. With several bandwidths, they are matched by position and a newly added bandwidth
 *       starts full.
 *   <li>smooth: the time of the next free permit is kept; the new spacing applies to permits after
 *       it. With warm-up, stored permits are kept, capped at the new maximum.
 *   <li>fixed window and sliding-window counter: the counts of the current (and previous) window
 *       are kept; the new limit applies to them at once (so lowering the limit below the count
 *       rejects until the window ends). A changed window length realigns windows to the
 *       reconfiguration instant.
 *   <li>sliding-window log: the most recent {@code min(old, new limit)} admission times are kept.
 * </ul>
 *
 * <h2>Shadow mode</h2>
 *
 * <p>With {@link Builder#shadowMode(boolean) shadowMode(true)} the limiter computes every decision
 * exactly as it would when enforcing (permits are consumed only by calls that would have been
 * admitted), reports it to listeners and statistics, but answers "permitted" to every call: {@code
 * tryAcquire} returns {@code true} and {@code reserve} returns {@code 0}. Use it to try a new limit
 * on production traffic before enforcing it.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RateLimiterConfig {

  /** The largest limit of a {@link Algorithm#FIXED_WINDOW} limiter. */
  public static final long MAX_FIXED_WINDOW_LIMIT = Integer.MAX_VALUE;

  /**
   * The largest limit of a {@link Algorithm#SLIDING_WINDOW_LOG} limiter; it keeps one timestamp (16
   * bytes with its publication stamp) per permit, in a ring of the limit rounded up to a power of
   * two.
   */
  public static final long MAX_SLIDING_LOG_LIMIT = 1L << 20;

  /**
   * The largest limit of a {@link Algorithm#SLIDING_WINDOW_COUNTER} limiter; both window counts
   * share one 64-bit word with the window number.
   */
  public static final long MAX_SLIDING_COUNTER_LIMIT = (1L << 22) - 1;

  /**
   * The largest {@code burst * nanosPerPermit} of a token bucket or GCRA limiter, and the longest
   * period, window or warm-up of any limiter: 2^60 ns, about 36 years. Keeps the arithmetic on
   * state words free of overflow.
   */
  public static final long MAX_BURST_NANOS = 1L << 60;

  /** Rate-limiting algorithms. */
  public enum Algorithm {
    /**
     * Token bucket: a bucket of {@code burst} permits refilled continuously at the rate; one or
     * more bandwidths. Allows bursts up to the bucket size.
     */
    TOKEN_BUCKET,
    /**
     * Generic cell rate algorithm: the same admissions as a token bucket of size {@code burst},
     * tracked as a single "theoretical arrival time"; the algorithm common in network policers.
     */
    GCRA,
    /**
     * Permits evenly spaced at the rate (a leaky bucket used as a meter). A request for several
     * permits is granted at once and the debt makes the next caller wait (as Guava does).
     */
    SMOOTH,
    /** At most {@code limit} permits in each window; windows aligned to the limiter's start. */
    FIXED_WINDOW,
    /**
     * At most {@code limit} permits in any interval of length {@code period}, exact, by keeping the
     * time of the last {@code limit} admissions.
     */
    SLIDING_WINDOW_LOG,
    /**
     * Approximates a sliding window from two fixed-window counts: the previous window's count is
     * weighted by the fraction of it still inside the sliding window.
     */
    SLIDING_WINDOW_COUNTER
  }

  /**
   * One token-bucket bandwidth: a bucket of {@code capacity} permits, refilled completely every
   * {@code period}.
   *
   * <p>Instances are immutable and thread-safe.
   *
   * @param capacity bucket size, also the permits added per period; at least 1
   * @param period time to refill an empty bucket; positive
   */
  public record Bandwidth(long capacity, Duration period) {
    /**
     * Validates the components.
     *
     * @param capacity bucket size, at least 1
     * @param period refill period, positive
     */
    public Bandwidth {
      Objects.requireNonNull(period, "period");
      checkRate("bandwidth", capacity, period);
      // capacity * nanosPerPermit <= period, so bounding the period bounds the state arithmetic.
      checkRange("bandwidth period (ns)", saturatedNanos(period), 1, MAX_BURST_NANOS);
    }

    /**
     * Nanoseconds between two permits, rounded down.
     *
     * @return nanoseconds per permit, at least 1
     */
    public long nanosPerPermit() {
      return period.toNanos() / capacity;
    }
  }

  private final String name;
  private final Algorithm algorithm;
  private final long limit;
  private final Duration period;
  private final long burst;
  private final List<Bandwidth> bandwidths;
  private final Duration warmup;
  private final Ticker ticker;
  private final boolean shadowMode;
  private final boolean recordStats;

  private RateLimiterConfig(Builder b, long burst, List<Bandwidth> bandwidths) {
    this.name = b.name;
    this.algorithm = b.algorithm;
    this.limit = b.limit;
    this.period = b.period;
    this.burst = burst;
    this.bandwidths = bandwidths;
    this.warmup = b.warmup;
    this.ticker = b.ticker;
    this.shadowMode = b.shadowMode;
    this.recordStats = b.recordStats;
  }

  /**
   * Starts a builder with defaults: name {@code "rate-limiter"}, {@link Algorithm#TOKEN_BUCKET},
   * system ticker, enforcing, no statistics. The limit has no default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this configuration, for deriving a new one (for example for {@link
   * RateLimiter#reconfigure}). A burst equal to the limit counts as the default, so {@code
   * toBuilder().limit(...)} moves it along with the limit; an explicit other burst is kept.
   *
   * @return a new builder initialised from this configuration
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.algorithm = algorithm;
    b.limit = limit;
    b.period = period;
    // With several bandwidths burst() is the smallest capacity; the builder's burst is the first's.
    long ownBurst =
        algorithm == Algorithm.TOKEN_BUCKET
            ? bandwidths.get(0).capacity()
            : algorithm == Algorithm.GCRA ? burst : 0;
    // A burst equal to the limit is the default: leave it unset so a new limit moves it too.
    b.burst = ownBurst == limit ? 0 : ownBurst;
    b.extraBandwidths.addAll(bandwidths.subList(bandwidths.isEmpty() ? 0 : 1, bandwidths.size()));
    b.warmup = warmup;
    b.ticker = ticker;
    b.shadowMode = shadowMode;
    b.recordStats = recordStats;
    return b;
  }

  /**
   * Returns the limiter name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the algorithm.
   *
   * @return the algorithm
   */
  public Algorithm algorithm() {
    return algorithm;
  }

  /**
   * Returns the number of permits per {@link #period()}.
   *
   * @return the limit, at least 1
   */
  public long limit() {
    return limit;
  }

  /**
   * Returns the period of the limit (the window length for window algorithms).
   *
   * @return the period, positive
   */
  public Duration period() {
    return period;
  }

  /**
   * Returns the most permits that can be taken at once: the bucket size for token bucket and GCRA,
   * the limit otherwise. With several bandwidths, the smallest capacity.
   *
   * @return the burst, at least 1
   */
  public long burst() {
    return burst;
  }

  /**
   * Returns the most permits a single call may request; larger requests can never succeed and are
   * rejected with {@link IllegalArgumentException}.
   *
   * @return the largest permits argument accepted
   */
  public long maxPermitsPerCall() {
    return burst;
  }

  /**
   * Returns the token-bucket bandwidths, the first one being {@code limit/period} with {@code
   * burst}; empty for other algorithms.
   *
   * @return an unmodifiable list
   */
  public List<Bandwidth> bandwidths() {
    return bandwidths;
  }

  /**
   * Returns the warm-up period of a {@link Algorithm#SMOOTH} limiter, zero when none.
   *
   * @return the warm-up period
   */
  public Duration warmup() {
    return warmup;
  }

  /**
   * Returns the time source.
   *
   * @return the ticker
   */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * Returns whether the limiter only observes (see the class documentation).
   *
   * @return whether shadow mode is on
   */
  public boolean shadowMode() {
    return shadowMode;
  }

  /**
   * Returns whether the limiter counts decisions for {@link RateLimiter#stats()}.
   *
   * @return whether statistics are recorded
   */
  public boolean recordStats() {
    return recordStats;
  }

  /**
   * Nanoseconds between two permits of the primary rate, rounded down.
   *
   * @return nanoseconds per permit
   */
  public long nanosPerPermit() {
    return period.toNanos() / limit;
  }

  @Override
  public String toString() {
    return "RateLimiterConfig{name="
        + name
        + ", algorithm="
        + algorithm
        + ", limit="
        + limit
        + "/"
        + period
        + ", burst="
        + burst
        + (bandwidths.size() > 1 ? ", bandwidths=" + bandwidths : "")
        + (warmup.isZero() ? "" : ", warmup=" + warmup)
        + (shadowMode ? ", shadowMode" : "")
        + (recordStats ? ", recordStats" : "")
        + "}";
  }

  private static void checkRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "] but was " + value);
    }
  }

  private static void checkRate(String field, long permits, Duration period) {
    if (permits < 1) {
      throw new IllegalArgumentException(
          field + " permits must be in [1, " + Long.MAX_VALUE + "] but was " + permits);
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException(
          field + " period must be positive (at least 1 ns) but was " + period);
    }
    long nanos = saturatedNanos(period);
    if (nanos / permits < 1) {
      throw new IllegalArgumentException(
          field
              + " rate must be at most 1 permit per nanosecond but was "
              + permits
              + " per "
              + period);
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Builds a {@link RateLimiterConfig}; every value is validated by {@link #build()}.
   *
   * <p>Builders are not thread-safe; the configurations they build are.
   */
  public static final class Builder {
    private String name = "rate-limiter";
    private Algorithm algorithm = Algorithm.TOKEN_BUCKET;
    private long limit;
    private Duration period;
    private long burst;
    private final List<Bandwidth> extraBandwidths = new ArrayList<>();
    private Duration warmup = Duration.ZERO;
    private Ticker ticker = Ticker.system();
    private boolean shadowMode;
    private boolean recordStats;

    private Builder() {}

    /**
     * Sets the name used in events, statistics and exceptions.
     *
     * @param name a non-blank name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the algorithm (default {@link Algorithm#TOKEN_BUCKET}).
     *
     * @param algorithm the algorithm
     * @return this builder
     */
    public Builder algorithm(Algorithm algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /**
     * Sets the limit: {@code permits} per {@code period} (see the class documentation for what that
     * means per algorithm). Required.
     *
     * @param permits permits per period, at least 1
     * @param period the period or window length, positive
     * @return this builder
     */
    public Builder limit(long permits, Duration period) {
      this.limit = permits;
      this.period = period;
      return this;
    }

    /**
     * Sets the bucket size of a token bucket or the burst tolerance of GCRA (default: the limit).
     * Not allowed for other algorithms.
     *
     * @param burst the most permits taken at once, at least 1
     * @return this builder
     */
    public Builder burst(long burst) {
      this.burst = burst;
      return this;
    }

    /**
     * Adds another bandwidth to a token bucket, e.g. {@code 5000} per hour on top of {@code 100}
     * per second. A permit is granted only when every bandwidth has it.
     *
     * @param capacity bucket size of the extra bandwidth, at least 1
     * @param period its refill period, positive
     * @return this builder
     */
    public Builder addBandwidth(long capacity, Duration period) {
      extraBandwidths.add(new Bandwidth(capacity, period));
      return this;
    }

    /**
     * Sets the warm-up of a {@link Algorithm#SMOOTH} limiter: after being idle, it starts at a
     * third of the rate and reaches the full rate after handing out {@code warmup} worth of permits
     * (as Guava's warming-up limiter). Zero (the default) disables warm-up.
     *
     * @param warmup warm-up period, zero or positive
     * @return this builder
     */
    public Builder warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    /**
     * Sets the time source (default {@link Ticker#system()}).
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /**
     * Turns shadow mode on or off (default off): see the class documentation.
     *
     * @param shadowMode whether to observe only
     * @return this builder
     */
    public Builder shadowMode(boolean shadowMode) {
      this.shadowMode = shadowMode;
      return this;
    }

    /**
     * Makes the limiter count its decisions for {@link RateLimiter#stats()}. Off by default so the
     * hot path stays at one clock read and one compare-and-set; counting adds striped counters (no
     * allocation, little contention).
     *
     * @return this builder
     */
    public Builder recordStats() {
      this.recordStats = true;
      return this;
    }

    /**
     * Sets whether the limiter counts its decisions.
     *
     * @param recordStats whether to record statistics
     * @return this builder
     */
    public Builder recordStats(boolean recordStats) {
      this.recordStats = recordStats;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     * @throws NullPointerException if name, algorithm, period, warmup or ticker is null
     * @throws IllegalArgumentException naming the field, the value and the allowed range when a
     *     value is out of range or does not apply to the algorithm
     */
    public RateLimiterConfig build() {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(ticker, "ticker");
      Objects.requireNonNull(warmup, "warmup");
      if (period == null && limit == 0) {
        throw new IllegalArgumentException("limit is required: call limit(permits, period)");
      }
      Objects.requireNonNull(period, "period");
      if (limit < 1) {
        throw new IllegalArgumentException(
            "limit must be in [1, " + Long.MAX_VALUE + "] but was " + limit);
      }
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException(
            "period must be positive (at least 1 ns) but was " + period);
      }
      // Bounded so that window and schedule arithmetic on relative times cannot overflow.
      checkRange("period (ns)", saturatedNanos(period), 1, MAX_BURST_NANOS);
      if (warmup.isNegative()) {
        throw new IllegalArgumentException("warmup must be zero or positive but was " + warmup);
      }
      if (burst < 0) {
        throw new IllegalArgumentException(
            "burst must be in [1, " + Long.MAX_VALUE + "] but was " + burst);
      }
      boolean bucketLike = algorithm == Algorithm.TOKEN_BUCKET || algorithm == Algorithm.GCRA;
      if (burst != 0 && !bucketLike) {
        throw new IllegalArgumentException(
            "burst applies to TOKEN_BUCKET and GCRA only, not " + algorithm);
      }
      if (!extraBandwidths.isEmpty() && algorithm != Algorithm.TOKEN_BUCKET) {
        throw new IllegalArgumentException(
            "addBandwidth applies to TOKEN_BUCKET only, not " + algorithm);
      }
      if (!warmup.isZero() && algorithm != Algorithm.SMOOTH) {
        throw new IllegalArgumentException("warmup applies to SMOOTH only, not " + algorithm);
      }
      switch (algorithm) {
        case TOKEN_BUCKET:
        case GCRA:
        case SMOOTH:
          checkRate("limit", limit, period);
          break;
        case FIXED_WINDOW:
          checkRange("limit", limit, 1, MAX_FIXED_WINDOW_LIMIT);
          break;
        case SLIDING_WINDOW_LOG:
          checkRange("limit", limit, 1, MAX_SLIDING_LOG_LIMIT);
          break;
        case SLIDING_WINDOW_COUNTER:
          checkRange("limit", limit, 1, MAX_SLIDING_COUNTER_LIMIT);
          break;
        default:
          throw new AssertionError(algorithm);
      }
      long effectiveBurst = limit;
      List<Bandwidth> bws = List.of();
      if (bucketLike) {
        long b = burst == 0 ? limit : burst;
        long interval = period.toNanos() / limit;
        if (b > MAX_BURST_NANOS / interval) {
          throw new IllegalArgumentException(
              "burst must be in [1, "
                  + MAX_BURST_NANOS / interval
                  + "] (burst * nanosPerPermit at most 2^60) but was "
                  + b);
        }
        effectiveBurst = b;
        if (algorithm == Algorithm.TOKEN_BUCKET) {
          List<Bandwidth> all = new ArrayList<>();
          all.add(new Bandwidth(b, Duration.ofNanos(interval * b)));
          all.addAll(extraBandwidths);
          for (Bandwidth bw : extraBandwidths) {
            effectiveBurst = Math.min(effectiveBurst, bw.capacity());
          }
          bws = List.copyOf(all);
        }
      }
      if (algorithm == Algorithm.SMOOTH && !warmup.isZero()) {
        checkRange("warmup (ns)", saturatedNanos(warmup), 1, MAX_BURST_NANOS);
      }
      return new RateLimiterConfig(this, effectiveBurst, bws);
    }
  }
}
