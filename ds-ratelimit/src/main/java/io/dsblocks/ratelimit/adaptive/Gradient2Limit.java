package io.dsblocks.ratelimit.adaptive;

/**
 * Gradient limit: compares a long-term exponential average of round-trip times with the current
 * sample. {@code gradient = clamp(tolerance * longRtt / rtt, 0.5, 1)}; the new limit is {@code
 * limit * gradient + queueSize}, smoothed. When latency rises above {@code tolerance} times its
 * long-term average the limit shrinks in proportion; otherwise it grows by the queue allowance.
 * Because the average itself follows latency, it tolerates slow drift; when the average is far
 * above current latency (recovering from an overload) it is decayed faster so the limit recovers. A
 * drop moves the limit toward half its value.
 *
 * <p>Not thread-safe by itself; see {@link LimitAlgorithm}.
 */
public final class Gradient2Limit implements LimitAlgorithm {
  private final int initialLimit;
  private final int minLimit;
  private final int maxLimit;
  private final double tolerance;
  private final double smoothing;
  private final int queueSize;
  private final double longWindowFactor;
  private double limit;
  private double longRtt;

  private Gradient2Limit(Builder b) {
    this.initialLimit = b.initialLimit;
    this.minLimit = b.minLimit;
    this.maxLimit = b.maxLimit;
    this.tolerance = b.tolerance;
    this.smoothing = b.smoothing;
    this.queueSize = b.queueSize;
    this.longWindowFactor = 2.0 / (b.longWindow + 1);
    this.limit = b.initialLimit;
  }

  /**
   * Returns a builder; defaults: initial 20, min 1, max 1000, tolerance 1.5, smoothing 0.2, queue
   * size 4, long window 600 samples.
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
    double target;
    if (dropped) {
      target = limit * 0.5;
    } else {
      if (rttNanos <= 0) {
        return (int) limit;
      }
      double rtt = rttNanos;
      longRtt = longRtt == 0 ? rtt : longRtt + (rtt - longRtt) * longWindowFactor;
      if (longRtt / rtt > 2.0) {
        longRtt *= 0.95; // recovering: let the average catch up with the now-lower latency
      }
      if (inFlight * 2 < limit) {
        return (int) limit; // app-limited: the sample says nothing about capacity
      }
      double gradient = Math.max(0.5, Math.min(1.0, tolerance * longRtt / rtt));
      target = limit * gradient + queueSize;
    }
    limit = limit * (1 - smoothing) + target * smoothing;
    limit = Math.max(minLimit, Math.min(maxLimit, limit));
    return Limits.clamp(limit, minLimit, maxLimit);
  }

  /** Builds a {@link Gradient2Limit}; validated at {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private int initialLimit = 20;
    private int minLimit = 1;
    private int maxLimit = 1000;
    private double tolerance = 1.5;
    private double smoothing = 0.2;
    private int queueSize = 4;
    private int longWindow = 600;

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
     * Sets how much latency above the long-term average is tolerated before shrinking.
     *
     * @param tolerance at least 1
     * @return this builder
     */
    public Builder tolerance(double tolerance) {
      this.tolerance = tolerance;
      return this;
    }

    /**
     * Sets how far each update moves toward its target.
     *
     * @param smoothing in {@code (0, 1]}
     * @return this builder
     */
    public Builder smoothing(double smoothing) {
      this.smoothing = smoothing;
      return this;
    }

    /**
     * Sets the additive allowance for queueing.
     *
     * @param queueSize at least 0
     * @return this builder
     */
    public Builder queueSize(int queueSize) {
      this.queueSize = queueSize;
      return this;
    }

    /**
     * Sets the number of samples the long-term average spans.
     *
     * @param samples at least 1
     * @return this builder
     */
    public Builder longWindow(int samples) {
      this.longWindow = samples;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return a new algorithm instance
     */
    public Gradient2Limit build() {
      Limits.check(minLimit, initialLimit, maxLimit);
      if (!(tolerance >= 1.0) || Double.isInfinite(tolerance)) {
        throw new IllegalArgumentException("tolerance must be finite and >= 1, was " + tolerance);
      }
      if (!(smoothing > 0 && smoothing <= 1)) {
        throw new IllegalArgumentException("smoothing must be in (0, 1], was " + smoothing);
      }
      if (queueSize < 0) {
        throw new IllegalArgumentException("queueSize must be >= 0, was " + queueSize);
      }
      if (longWindow < 1) {
        throw new IllegalArgumentException("longWindow must be >= 1, was " + longWindow);
      }
      return new Gradient2Limit(this);
    }
  }
}
