package io.dsblocks.ratelimit.adaptive;

import java.time.Duration;
import java.util.Objects;

/**
 * Additive increase, multiplicative decrease: +1 per successful sample while the limit is in use,
 * times {@code backoffRatio} on a drop or a call slower than the timeout. Simple and robust when
 * drops (timeouts, 503s) are the only reliable overload signal.
 *
 * <p>Not thread-safe by itself; see {@link LimitAlgorithm} for how limiters call it.
 */
public final class AimdLimit implements LimitAlgorithm {
  private final int initialLimit;
  private final int minLimit;
  private final int maxLimit;
  private final double backoffRatio;
  private final long timeoutNanos;
  private int limit;

  private AimdLimit(Builder b) {
    this.initialLimit = b.initialLimit;
    this.minLimit = b.minLimit;
    this.maxLimit = b.maxLimit;
    this.backoffRatio = b.backoffRatio;
    this.timeoutNanos = b.timeout.toNanos();
    this.limit = b.initialLimit;
  }

  /**
   * Returns a builder; defaults: initial 20, min 1, max 1000, backoff ratio 0.9, timeout 5 s.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int initialLimit() {
    return initialLimit;
  }

  @Override
  public int update(long rttNanos, int inFlight, boolean dropped) {
    if (dropped || rttNanos >= timeoutNanos) {
      limit = Math.max(minLimit, (int) (limit * backoffRatio));
    } else if (inFlight * 2 >= limit) {
      // Grow only while at least half the limit is used: an idle service proves nothing.
      limit = Math.min(maxLimit, limit + 1);
    }
    return limit;
  }

  /** Builds an {@link AimdLimit}; validated at {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private int initialLimit = 20;
    private int minLimit = 1;
    private int maxLimit = 1000;
    private double backoffRatio = 0.9;
    private Duration timeout = Duration.ofSeconds(5);

    private Builder() {}

    /**
     * Sets the limits.
     *
     * @param min the floor, at least 1
     * @param initial the starting limit, in {@code [min, max]}
     * @param max the ceiling
     * @return this builder
     */
    public Builder limits(int min, int initial, int max) {
      this.minLimit = min;
      this.initialLimit = initial;
      this.maxLimit = max;
      return this;
    }

    /**
     * Sets the factor applied on a drop.
     *
     * @param ratio in {@code [0.5, 1)}
     * @return this builder
     */
    public Builder backoffRatio(double ratio) {
      this.backoffRatio = ratio;
      return this;
    }

    /**
     * Sets the round-trip time treated as a drop.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return a new algorithm instance
     */
    public AimdLimit build() {
      Limits.check(minLimit, initialLimit, maxLimit);
      if (!(backoffRatio >= 0.5 && backoffRatio < 1.0)) {
        throw new IllegalArgumentException("backoffRatio must be in [0.5, 1), was " + backoffRatio);
      }
      Objects.requireNonNull(timeout, "timeout must not be null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, was " + timeout);
      }
      return new AimdLimit(this);
    }
  }
}
