package io.dsblocks.ratelimit.bulkhead;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of a {@link Bulkhead}: the maximum number of concurrent calls and how
 * long a caller may wait for a free slot. Defaults: 25 concurrent calls, no waiting. Validated by
 * {@link Builder#build()}. Thread-safe.
 */
public final class BulkheadConfig {
  private final int maxConcurrentCalls;
  private final Duration maxWaitDuration;

  private BulkheadConfig(int maxConcurrentCalls, Duration maxWaitDuration) {
    this.maxConcurrentCalls = maxConcurrentCalls;
    this.maxWaitDuration = maxWaitDuration;
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
   * Shortcut for a non-waiting bulkhead.
   *
   * @param maxConcurrentCalls at least 1
   * @return the configuration
   */
  public static BulkheadConfig ofMaxConcurrentCalls(int maxConcurrentCalls) {
    return builder().maxConcurrentCalls(maxConcurrentCalls).build();
  }

  /**
   * Returns the maximum number of calls running at once.
   *
   * @return at least 1
   */
  public int maxConcurrentCalls() {
    return maxConcurrentCalls;
  }

  /**
   * Returns how long {@link Bulkhead#acquirePermission()} waits for a free slot.
   *
   * @return zero (do not wait) or positive
   */
  public Duration maxWaitDuration() {
    return maxWaitDuration;
  }

  @Override
  public String toString() {
    return "BulkheadConfig{maxConcurrentCalls="
        + maxConcurrentCalls
        + ", maxWaitDuration="
        + maxWaitDuration
        + '}';
  }

  /** Builds a {@link BulkheadConfig}. Not thread-safe. */
  public static final class Builder {
    private int maxConcurrentCalls = 25;
    private Duration maxWaitDuration = Duration.ZERO;

    private Builder() {}

    /**
     * Sets the maximum number of concurrent calls.
     *
     * @param calls at least 1
     * @return this builder
     */
    public Builder maxConcurrentCalls(int calls) {
      this.maxConcurrentCalls = calls;
      return this;
    }

    /**
     * Sets how long a caller may wait for a slot.
     *
     * @param wait zero or positive
     * @return this builder
     */
    public Builder maxWaitDuration(Duration wait) {
      this.maxWaitDuration = wait;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the bad field, its value and the allowed range
     */
    public BulkheadConfig build() {
      if (maxConcurrentCalls < 1) {
        throw new IllegalArgumentException(
            "maxConcurrentCalls must be in [1, "
                + Integer.MAX_VALUE
                + "], was "
                + maxConcurrentCalls);
      }
      Objects.requireNonNull(maxWaitDuration, "maxWaitDuration must not be null");
      if (maxWaitDuration.isNegative()) {
        throw new IllegalArgumentException(
            "maxWaitDuration must be zero or positive, was " + maxWaitDuration);
      }
      return new BulkheadConfig(maxConcurrentCalls, maxWaitDuration);
    }
  }
}
