package io.dsblocks.ratelimit.circuitbreaker;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Immutable configuration of a {@link CircuitBreaker}; build with {@link #builder()}. Every value
 * is validated by {@link Builder#build()}, which throws an {@link IllegalArgumentException} naming
 * the field, the bad value and the allowed range.
 *
 * <p>Defaults: count-based window of 100 calls, minimum 100 calls, failure-rate threshold 50%,
 * slow-call detection enabled with a slow-call-rate threshold of 100% and a 60 s slow-call duration
 * (the same as Resilience4j), 10 trial calls while half-open, 60 s open wait without backoff, every
 * exception recorded and none ignored.
 *
 * <p><b>Slow-call detection costs two clock reads per call.</b> To classify a call as slow, a
 * decorated call must be timed, which is two ticker reads (about 25-30 ns each with {@code
 * System.nanoTime()} on a typical VM, usually more than the rest of the breaker). If only failures
 * should open the breaker, {@link Builder#slowCallDetection(boolean) slowCallDetection(false)}
 * turns the slow-call rule off and {@link CircuitBreaker#recordsCallDurations()} becomes {@code
 * false}, so {@link io.dsblocks.ratelimit.Decorators} skip both reads.
 *
 * <p>Instances are immutable and thread-safe (provided the predicates are).
 */
public final class CircuitBreakerConfig {

  /** How the sliding window of recent calls is delimited. */
  public enum SlidingWindowType {
    /** The last {@code slidingWindowSize} calls. */
    COUNT_BASED,
    /** The calls of the last {@code slidingWindowSize} seconds (per-second buckets). */
    TIME_BASED
  }

  /** Largest count-based window: counts are packed into 21-bit fields of one atomic word. */
  public static final int MAX_COUNT_WINDOW = 1_000_000;

  /** Largest time-based window in seconds (one hour of per-second buckets). */
  public static final int MAX_TIME_WINDOW_SECONDS = 3600;

  /** Largest number of trial calls while half-open. */
  public static final int MAX_HALF_OPEN_CALLS = 1_000_000;

  private static final CircuitBreakerConfig DEFAULTS = builder().build();

  private final SlidingWindowType slidingWindowType;
  private final int slidingWindowSize;
  private final int minimumNumberOfCalls;
  private final float failureRateThreshold;
  private final float slowCallRateThreshold;
  private final Duration slowCallDurationThreshold;
  private final boolean slowCallDetection;
  private final int permittedCallsInHalfOpenState;
  private final Duration waitDurationInOpenState;
  private final double openWaitMultiplier;
  private final Duration maxWaitDurationInOpenState;
  private final Predicate<Throwable> recordException;
  private final Predicate<Throwable> ignoreException;

  private CircuitBreakerConfig(Builder b) {
    this.slidingWindowType = b.slidingWindowType;
    this.slidingWindowSize = b.slidingWindowSize;
    this.minimumNumberOfCalls = b.minimumNumberOfCalls;
    this.failureRateThreshold = b.failureRateThreshold;
    this.slowCallRateThreshold = b.slowCallRateThreshold;
    this.slowCallDurationThreshold = b.slowCallDurationThreshold;
    this.slowCallDetection = b.slowCallDetection;
    this.permittedCallsInHalfOpenState = b.permittedCallsInHalfOpenState;
    this.waitDurationInOpenState = b.waitDurationInOpenState;
    this.openWaitMultiplier = b.openWaitMultiplier;
    this.maxWaitDurationInOpenState =
        b.maxWaitDurationInOpenState != null
            ? b.maxWaitDurationInOpenState
            : b.waitDurationInOpenState;
    this.recordException = b.recordException;
    this.ignoreException = b.ignoreException;
  }

  /**
   * Returns a builder initialised with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the default configuration.
   *
   * @return the shared default instance
   */
  public static CircuitBreakerConfig ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder initialised with this configuration, to derive a changed copy.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.slidingWindowType = slidingWindowType;
    b.slidingWindowSize = slidingWindowSize;
    b.minimumNumberOfCalls = minimumNumberOfCalls;
    b.failureRateThreshold = failureRateThreshold;
    b.slowCallRateThreshold = slowCallRateThreshold;
    b.slowCallDurationThreshold = slowCallDurationThreshold;
    b.slowCallDetection = slowCallDetection;
    b.permittedCallsInHalfOpenState = permittedCallsInHalfOpenState;
    b.waitDurationInOpenState = waitDurationInOpenState;
    b.openWaitMultiplier = openWaitMultiplier;
    b.maxWaitDurationInOpenState = maxWaitDurationInOpenState;
    b.recordException = recordException;
    b.ignoreException = ignoreException;
    return b;
  }

  /**
   * Returns the window type.
   *
   * @return the window type
   */
  public SlidingWindowType slidingWindowType() {
    return slidingWindowType;
  }

  /**
   * Returns the window size: calls for a count-based window, seconds for a time-based one.
   *
   * @return the window size
   */
  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  /**
   * Returns the number of calls the window must hold before rates are evaluated. For a count-based
   * window the effective minimum is {@code min(minimumNumberOfCalls, slidingWindowSize)}.
   *
   * @return the minimum number of calls
   */
  public int minimumNumberOfCalls() {
    return minimumNumberOfCalls;
  }

  /**
   * Returns the failure percentage at or above which the breaker opens.
   *
   * @return a percentage in {@code (0, 100]}
   */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /**
   * Returns the slow-call percentage at or above which the breaker opens.
   *
   * @return a percentage in {@code (0, 100]}
   */
  public float slowCallRateThreshold() {
    return slowCallRateThreshold;
  }

  /**
   * Returns the duration at or above which a call counts as slow.
   *
   * @return a positive duration
   */
  public Duration slowCallDurationThreshold() {
    return slowCallDurationThreshold;
  }

  /**
   * Returns whether slow calls are detected: if {@code false}, no call is ever classified as slow,
   * the slow-call rate and duration thresholds are kept (so re-enabling restores them) but ignored,
   * and the breaker does not need call durations.
   *
   * @return {@code true} (the default) if calls at or above {@link #slowCallDurationThreshold()}
   *     count as slow
   */
  public boolean slowCallDetection() {
    return slowCallDetection;
  }

  /**
   * Returns the number of trial calls admitted while half-open.
   *
   * @return the number of trial calls
   */
  public int permittedCallsInHalfOpenState() {
    return permittedCallsInHalfOpenState;
  }

  /**
   * Returns the wait in the open state before the first half-open trial.
   *
   * @return a positive duration
   */
  public Duration waitDurationInOpenState() {
    return waitDurationInOpenState;
  }

  /**
   * Returns the factor applied to the open wait each time a half-open trial fails and the breaker
   * re-opens; {@code 1} means a constant wait.
   *
   * @return a multiplier {@code >= 1}
   */
  public double openWaitMultiplier() {
    return openWaitMultiplier;
  }

  /**
   * Returns the cap on the (backed-off) open wait.
   *
   * @return a duration {@code >= waitDurationInOpenState}
   */
  public Duration maxWaitDurationInOpenState() {
    return maxWaitDurationInOpenState;
  }

  /**
   * Returns the predicate choosing which exceptions count as failures (others count as success).
   *
   * @return the record predicate
   */
  public Predicate<Throwable> recordException() {
    return recordException;
  }

  /**
   * Returns the predicate choosing which exceptions are ignored (neither success nor failure). It
   * takes precedence over {@link #recordException()}.
   *
   * @return the ignore predicate
   */
  public Predicate<Throwable> ignoreException() {
    return ignoreException;
  }

  /**
   * Returns the open wait after {@code reopenings} consecutive failed half-open trials.
   *
   * @param reopenings {@code 0} for the first opening
   * @return the wait in nanoseconds, capped by {@link #maxWaitDurationInOpenState()}
   */
  public long openWaitNanos(int reopenings) {
    long base = waitDurationInOpenState.toNanos();
    long max = maxWaitDurationInOpenState.toNanos();
    if (openWaitMultiplier == 1.0 || reopenings <= 0) {
      return Math.min(base, max);
    }
    double wait = base * Math.pow(openWaitMultiplier, reopenings);
    return wait >= max ? max : (long) wait;
  }

  @Override
  public String toString() {
    return "CircuitBreakerConfig{"
        + slidingWindowType
        + " window="
        + slidingWindowSize
        + ", minimumNumberOfCalls="
        + minimumNumberOfCalls
        + ", failureRateThreshold="
        + failureRateThreshold
        + ", slowCallDetection="
        + slowCallDetection
        + ", slowCallRateThreshold="
        + slowCallRateThreshold
        + ", slowCallDurationThreshold="
        + slowCallDurationThreshold
        + ", permittedCallsInHalfOpenState="
        + permittedCallsInHalfOpenState
        + ", waitDurationInOpenState="
        + waitDurationInOpenState
        + ", openWaitMultiplier="
        + openWaitMultiplier
        + ", maxWaitDurationInOpenState="
        + maxWaitDurationInOpenState
        + '}';
  }

  /**
   * Builds a {@link CircuitBreakerConfig}. Setters only store values; {@link #build()} validates
   * them all. Not thread-safe: confine a builder to one thread.
   */
  public static final class Builder {
    private SlidingWindowType slidingWindowType = SlidingWindowType.COUNT_BASED;
    private int slidingWindowSize = 100;
    private int minimumNumberOfCalls = 100;
    private float failureRateThreshold = 50f;
    private float slowCallRateThreshold = 100f;
    private Duration slowCallDurationThreshold = Duration.ofSeconds(60);
    private boolean slowCallDetection = true;
    private int permittedCallsInHalfOpenState = 10;
    private Duration waitDurationInOpenState = Duration.ofSeconds(60);
    private double openWaitMultiplier = 1.0;
    private Duration maxWaitDurationInOpenState;
    private Predicate<Throwable> recordException = t -> true;
    private Predicate<Throwable> ignoreException = t -> false;

    private Builder() {}

    /**
     * Uses a count-based window of the last {@code size} calls.
     *
     * @param size number of calls, in {@code [1, 1000000]}
     * @return this builder
     */
    public Builder countBasedWindow(int size) {
      this.slidingWindowType = SlidingWindowType.COUNT_BASED;
      this.slidingWindowSize = size;
      return this;
    }

    /**
     * Uses a time-based window over the last {@code seconds} seconds.
     *
     * @param seconds window length in seconds, in {@code [1, 3600]}
     * @return this builder
     */
    public Builder timeBasedWindow(int seconds) {
      this.slidingWindowType = SlidingWindowType.TIME_BASED;
      this.slidingWindowSize = seconds;
      return this;
    }

    /**
     * Sets the minimum number of calls before rates are evaluated.
     *
     * @param calls at least 1
     * @return this builder
     */
    public Builder minimumNumberOfCalls(int calls) {
      this.minimumNumberOfCalls = calls;
      return this;
    }

    /**
     * Sets the failure percentage at or above which the breaker opens.
     *
     * @param percent in {@code (0, 100]}
     * @return this builder
     */
    public Builder failureRateThreshold(float percent) {
      this.failureRateThreshold = percent;
      return this;
    }

    /**
     * Sets the slow-call percentage at or above which the breaker opens (ignored while {@link
     * #slowCallDetection(boolean) slow-call detection} is off).
     *
     * @param percent in {@code (0, 100]}
     * @return this builder
     */
    public Builder slowCallRateThreshold(float percent) {
      this.slowCallRateThreshold = percent;
      return this;
    }

    /**
     * Sets the duration at or above which a call counts as slow (ignored while {@link
     * #slowCallDetection(boolean) slow-call detection} is off).
     *
     * @param threshold positive
     * @return this builder
     */
    public Builder slowCallDurationThreshold(Duration threshold) {
      this.slowCallDurationThreshold = threshold;
      return this;
    }

    /**
     * Turns slow-call detection on (the default) or off. Off, no call counts as slow, so only the
     * failure rate can open the breaker; the slow-call thresholds stay configured (and validated)
     * but are ignored. In exchange the breaker no longer needs call durations ({@link
     * CircuitBreaker#recordsCallDurations()} is {@code false}) and decorated calls skip the two
     * ticker reads that time them. The time-based window still reads the ticker once per recorded
     * call to pick its per-second bucket; the count-based window reads no time at all.
     *
     * @param enabled {@code false} to classify no call as slow
     * @return this builder
     */
    public Builder slowCallDetection(boolean enabled) {
      this.slowCallDetection = enabled;
      return this;
    }

    /**
     * Sets the number of trial calls admitted while half-open.
     *
     * @param calls in {@code [1, 1000000]}
     * @return this builder
     */
    public Builder permittedCallsInHalfOpenState(int calls) {
      this.permittedCallsInHalfOpenState = calls;
      return this;
    }

    /**
     * Sets the wait in the open state before the breaker admits trial calls.
     *
     * @param wait positive
     * @return this builder
     */
    public Builder waitDurationInOpenState(Duration wait) {
      this.waitDurationInOpenState = wait;
      return this;
    }

    /**
     * Enables exponential backoff of the open wait: after each failed half-open trial the wait is
     * multiplied by {@code multiplier}, up to {@code maxWait}; a successful trial resets it.
     *
     * @param multiplier at least 1 (1 disables backoff), finite
     * @param maxWait the cap, at least {@code waitDurationInOpenState}
     * @return this builder
     */
    public Builder openWaitBackoff(double multiplier, Duration maxWait) {
      this.openWaitMultiplier = multiplier;
      this.maxWaitDurationInOpenState = maxWait;
      return this;
    }

    /**
     * Sets which exceptions count as failures; exceptions it rejects count as successes.
     *
     * @param predicate not null
     * @return this builder
     */
    public Builder recordException(Predicate<Throwable> predicate) {
      this.recordException = predicate;
      return this;
    }

    /**
     * Sets which exceptions are ignored (neither success nor failure); takes precedence over the
     * record predicate.
     *
     * @param predicate not null
     * @return this builder
     */
    public Builder ignoreException(Predicate<Throwable> predicate) {
      this.ignoreException = predicate;
      return this;
    }

    /**
     * Validates the values and builds the configuration.
     *
     * @return the immutable configuration
     * @throws IllegalArgumentException naming the field, its value and the allowed range
     * @throws NullPointerException naming the field that is null
     */
    public CircuitBreakerConfig build() {
      Objects.requireNonNull(slidingWindowType, "slidingWindowType");
      int maxWindow =
          slidingWindowType == SlidingWindowType.COUNT_BASED
              ? MAX_COUNT_WINDOW
              : MAX_TIME_WINDOW_SECONDS;
      if (slidingWindowSize < 1 || slidingWindowSize > maxWindow) {
        throw new IllegalArgumentException(
            "slidingWindowSize must be in [1, "
                + maxWindow
                + "] for a "
                + slidingWindowType
                + " window, was "
                + slidingWindowSize);
      }
      if (minimumNumberOfCalls < 1) {
        throw new IllegalArgumentException(
            "minimumNumberOfCalls must be >= 1, was " + minimumNumberOfCalls);
      }
      checkPercent("failureRateThreshold", failureRateThreshold);
      checkPercent("slowCallRateThreshold", slowCallRateThreshold);
      checkPositive("slowCallDurationThreshold", slowCallDurationThreshold);
      if (permittedCallsInHalfOpenState < 1
          || permittedCallsInHalfOpenState > MAX_HALF_OPEN_CALLS) {
        throw new IllegalArgumentException(
            "permittedCallsInHalfOpenState must be in [1, "
                + MAX_HALF_OPEN_CALLS
                + "], was "
                + permittedCallsInHalfOpenState);
      }
      checkPositive("waitDurationInOpenState", waitDurationInOpenState);
      if (!(openWaitMultiplier >= 1.0) || Double.isInfinite(openWaitMultiplier)) {
        throw new IllegalArgumentException(
            "openWaitMultiplier must be finite and >= 1.0, was " + openWaitMultiplier);
      }
      if (maxWaitDurationInOpenState != null
          && maxWaitDurationInOpenState.compareTo(waitDurationInOpenState) < 0) {
        throw new IllegalArgumentException(
            "maxWaitDurationInOpenState must be >= waitDurationInOpenState ("
                + waitDurationInOpenState
                + "), was "
                + maxWaitDurationInOpenState);
      }
      Objects.requireNonNull(recordException, "recordException predicate must not be null");
      Objects.requireNonNull(ignoreException, "ignoreException predicate must not be null");
      return new CircuitBreakerConfig(this);
    }

    private static void checkPercent(String field, float value) {
      if (!(value > 0f && value <= 100f)) {
        throw new IllegalArgumentException(field + " must be in (0, 100], was " + value);
      }
    }

    private static void checkPositive(String field, Duration value) {
      Objects.requireNonNull(value, field + " must not be null");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, was " + value);
      }
      try {
        value.toNanos();
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            field + " must be at most " + Duration.ofNanos(Long.MAX_VALUE) + ", was " + value, e);
      }
    }
  }
}
