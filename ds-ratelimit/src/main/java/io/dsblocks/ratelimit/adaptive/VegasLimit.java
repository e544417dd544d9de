package io.dsblocks.ratelimit.adaptive;

/**
 * TCP-Vegas-style limit: estimates the queue in front of the dependency as {@code limit * (1 -
 * minRtt / rtt)} and steers it between {@code alpha} and {@code beta} (both grow with {@code
 * log10(limit)}, so large limits move in larger steps). {@code minRtt} is the lowest round-trip
 * seen, re-probed every {@code probeInterval} samples so a permanently slower dependency is
 * eventually accepted as the new baseline. Reacts to latency before drops happen.
 *
 * <p>Not thread-safe by itself; see {@link LimitAlgorithm}.
 */
public final class VegasLimit implements LimitAlgorithm {
  private final int initialLimit;
  private final int minLimit;
  private final int maxLimit;
  private final double smoothing;
  private final int probeInterval;
  private double limit;
  private long minRtt;
  private int samplesSinceProbe;

  private VegasLimit(Builder b) {
    this.initialLimit = b.initialLimit;
    this.minLimit = b.minLimit;
    this.maxLimit = b.maxLimit;
    this.smoothing = b.smoothing;
    this.probeInterval = b.probeInterval;
    this.limit = b.initialLimit;
  }

  /**
   * Returns a builder; defaults: initial 20, min 1, max 1000, smoothing 1.0, probe every 1000
   * samples.
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
    double log = Math.max(1.0, Math.log10(limit));
    double target;
    if (dropped) {
      target = limit - log;
    } else {
      if (rttNanos <= 0) {
        return (int) limit;
      }
      if (minRtt == 0 || rttNanos < minRtt || ++samplesSinceProbe >= probeInterval) {
        minRtt = rttNanos;
        samplesSinceProbe = 0;
      }
      double queue = Math.ceil(limit * (1.0 - (double) minRtt / rttNanos));
      double alpha = 3 * log;
      double beta = 6 * log;
      if (queue <= log) {
        target = limit + beta; // almost no queue: grow fast
      } else if (queue < alpha) {
        target = limit + log;
      } else if (queue > beta) {
        target = limit - log;
      } else {
        return (int) limit;
      }
      if (target > limit && inFlight * 2 < limit) {
        return (int) limit; // do not grow a limit that is not being used
      }
    }
    target = Math.max(minLimit, Math.min(maxLimit, target));
    limit = (1 - smoothing) * limit + smoothing * target;
    return Limits.clamp(limit, minLimit, maxLimit);
  }

  /** Builds a {@link VegasLimit}; validated at {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private int initialLimit = 20;
    private int minLimit = 1;
    private int maxLimit = 1000;
    private double smoothing = 1.0;
    private int probeInterval = 1000;

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
     * Sets after how many samples the minimum round-trip is re-probed.
     *
     * @param samples at least 1
     * @return this builder
     */
    public Builder probeInterval(int samples) {
      this.probeInterval = samples;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return a new algorithm instance
     */
    public VegasLimit build() {
      Limits.check(minLimit, initialLimit, maxLimit);
      if (!(smoothing > 0 && smoothing <= 1)) {
        throw new IllegalArgumentException("smoothing must be in (0, 1], was " + smoothing);
      }
      if (probeInterval < 1) {
        throw new IllegalArgumentException("probeInterval must be >= 1, was " + probeInterval);
      }
      return new VegasLimit(this);
    }
  }
}
