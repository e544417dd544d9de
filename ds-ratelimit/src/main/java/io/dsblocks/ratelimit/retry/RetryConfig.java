package io.dsblocks.ratelimit.retry;

import io.dsblocks.ratelimit.circuitbreaker.CallNotPermittedException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Immutable configuration of a {@link Retry}. Defaults: 3 attempts, exponential backoff from 100 ms
 * doubling up to 10 s with full jitter, no total-time limit, retry on every {@link Exception}
 * (never on {@link Error}), no result is retried, no budget. Validated by {@link Builder#build()}.
 * Thread-safe (provided the predicates are).
 */
public final class RetryConfig {

  /** How the exponential backoff is randomised. */
  public enum Jitter {
    /** Exactly {@code min(maxBackoff, initialBackoff * multiplier^(n-1))} before retry n. */
    NONE,
    /** Uniform in {@code [0, that value]}: spreads synchronized clients the most. */
    FULL,
    /**
     * Uniform in {@code [initialBackoff, 3 * previous wait]}, capped at {@code maxBackoff}: grows
     * like the exponential but each wait depends on the last, which decorrelates clients.
     */
    DECORRELATED
  }

  private static final RetryConfig DEFAULTS = builder().build();

  private final int maxAttempts;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final double multiplier;
  private final Jitter jitter;
  private final long maxTotalTimeNanos;
  private final Predicate<Throwable> retryOnException;
  private final Predicate<Object> retryOnResult;
  private final RetryBudget budget;

  private RetryConfig(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoffNanos = b.initialBackoff.toNanos();
    this.maxBackoffNanos = b.maxBackoff.toNanos();
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.maxTotalTimeNanos = b.maxTotalTime == null ? 0 : b.maxTotalTime.toNanos();
    this.retryOnException = b.retryOnException;
    this.retryOnResult = b.retryOnResult;
    this.budget = b.budget;
  }

  /**
   * Returns a builder with the defaults.
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
  public static RetryConfig ofDefaults() {
    return DEFAULTS;
  }

  /**
   * Returns the maximum number of attempts including the first.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns the backoff before the first retry (before jitter).
   *
   * @return nanoseconds
   */
  public long initialBackoffNanos() {
    return initialBackoffNanos;
  }

  /**
   * Returns the cap on any single wait.
   *
   * @return nanoseconds
   */
  public long maxBackoffNanos() {
    return maxBackoffNanos;
  }

  /**
   * Returns the growth factor of the backoff.
   *
   * @return at least 1
   */
  public double multiplier() {
    return multiplier;
  }

  /**
   * Returns the jitter mode.
   *
   * @return the jitter
   */
  public Jitter jitter() {
    return jitter;
  }

  /**
   * Returns the limit on the whole call including waits, or 0 for none.
   *
   * @return nanoseconds, 0 = unlimited
   */
  public long maxTotalTimeNanos() {
    return maxTotalTimeNanos;
  }

  /**
   * Returns the predicate choosing retryable exceptions.
   *
   * @return the predicate
   */
  public Predicate<Throwable> retryOnException() {
    return retryOnException;
  }

  /**
   * Returns the predicate choosing retryable results.
   *
   * @return the predicate
   */
  public Predicate<Object> retryOnResult() {
    return retryOnResult;
  }

  /**
   * Returns the shared budget, or {@code null} if retries are not budgeted.
   *
   * @return the budget or null
   */
  public RetryBudget budget() {
    return budget;
  }

  @Override
  public String toString() {
    return "RetryConfig{maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + Duration.ofNanos(initialBackoffNanos)
        + ", maxBackoff="
        + Duration.ofNanos(maxBackoffNanos)
        + ", multiplier="
        + multiplier
        + ", jitter="
        + jitter
        + ", maxTotalTime="
        + (maxTotalTimeNanos == 0 ? "unlimited" : Duration.ofNanos(maxTotalTimeNanos))
        + ", budget="
        + budget
        + '}';
  }

  /** Builds a {@link RetryConfig}; validated at {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private double multiplier = 2.0;
    private Jitter jitter = Jitter.FULL;
    private Duration maxTotalTime;
    private Predicate<Throwable> retryOnException =
        t -> t instanceof Exception && !(t instanceof CallNotPermittedException);
    private Predicate<Object> retryOnResult = r -> false;
    private RetryBudget budget;

    private Builder() {}

    /**
     * Sets the maximum number of attempts including the first.
     *
     * @param attempts in {@code [1, 1000]}
     * @return this builder
     */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Sets exponential backoff.
     *
     * @param initial wait before the first retry, positive
     * @param multiplier growth per retry, finite and at least 1
     * @param max cap on any single wait, at least {@code initial}
     * @return this builder
     */
    public Builder exponentialBackoff(Duration initial, double multiplier, Duration max) {
      this.initialBackoff = initial;
      this.multiplier = multiplier;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Sets the jitter mode.
     *
     * @param jitter not null
     * @return this builder
     */
    public Builder jitter(Jitter jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Limits the whole call, waits included: a retry whose wait would end past this limit is not
     * made.
     *
     * @param maxTotalTime positive
     * @return this builder
     */
    public Builder maxTotalTime(Duration maxTotalTime) {
      this.maxTotalTime = maxTotalTime;
      return this;
    }

    /**
     * Sets which exceptions are retried.
     *
     * @param predicate not null
     * @return this builder
     */
    public Builder retryOnException(Predicate<Throwable> predicate) {
      this.retryOnException = predicate;
      return this;
    }

    /**
     * Sets which results are retried (for example an HTTP 503 response object).
     *
     * @param predicate not null; receives the result, which may be null
     * @return this builder
     */
    public Builder retryOnResult(Predicate<Object> predicate) {
      this.retryOnResult = predicate;
      return this;
    }

    /**
     * Shares a retry budget: retries beyond it are not made.
     *
     * @param budget the budget, or {@code null} for none
     * @return this builder
     */
    public Builder budget(RetryBudget budget) {
      this.budget = budget;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the configuration
     */
    public RetryConfig build() {
      if (maxAttempts < 1 || maxAttempts > 1000) {
        throw new IllegalArgumentException("maxAttempts must be in [1, 1000], was " + maxAttempts);
      }
      positive("initialBackoff", initialBackoff);
      positive("maxBackoff", maxBackoff);
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff must be >= initialBackoff (" + initialBackoff + "), was " + maxBackoff);
      }
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException(
            "multiplier must be finite and >= 1.0, was " + multiplier);
      }
      Objects.requireNonNull(jitter, "jitter must not be null");
      if (maxTotalTime != null) {
        positive("maxTotalTime", maxTotalTime);
      }
      Objects.requireNonNull(retryOnException, "retryOnException predicate must not be null");
      Objects.requireNonNull(retryOnResult, "retryOnResult predicate must not be null");
      return new RetryConfig(this);
    }

    private static void positive(String field, Duration d) {
      Objects.requireNonNull(d, field + " must not be null");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, was " + d);
      }
      try {
        d.toNanos();
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(field + " is too large (max ~292 years), was " + d, e);
      }
    }
  }
}
