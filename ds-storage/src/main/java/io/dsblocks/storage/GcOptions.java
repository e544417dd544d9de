package io.dsblocks.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one garbage-collection cycle, built with {@link #builder()} and validated at {@link
 * Builder#build()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class GcOptions {
  private final VersionRetention versionRetention;
  private final double repackThreshold;
  private final Duration drainTimeout;

  private GcOptions(Builder b) {
    this.versionRetention = b.versionRetention;
    this.repackThreshold = b.repackThreshold;
    this.drainTimeout = b.drainTimeout;
  }

  /**
   * Returns the defaults: keep all versions of existing keys, repack packs at least 25 % dead, wait
   * up to one minute for older writers.
   *
   * @return default options
   */
  public static GcOptions defaults() {
    return builder().build();
  }

  /**
   * Returns a builder with the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns which versions are kept.
   *
   * @return the retention
   */
  public VersionRetention versionRetention() {
    return versionRetention;
  }

  /**
   * Returns the dead fraction at or above which a pack is repacked.
   *
   * @return a fraction in (0, 1]
   */
  public double repackThreshold() {
    return repackThreshold;
  }

  /**
   * Returns how long a cycle waits for puts and batches that started before it.
   *
   * @return the timeout
   */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /** Builds {@link GcOptions}. Not thread-safe. */
  public static final class Builder {
    private VersionRetention versionRetention = VersionRetention.KEEP_ALL_VERSIONS;
    private double repackThreshold = 0.25;
    private Duration drainTimeout = Duration.ofMinutes(1);

    private Builder() {}

    /**
     * Sets which versions are kept (default {@link VersionRetention#KEEP_ALL_VERSIONS}).
     *
     * @param retention the retention
     * @return this builder
     */
    public Builder versionRetention(VersionRetention retention) {
      this.versionRetention = Objects.requireNonNull(retention, "versionRetention");
      return this;
    }

    /**
     * Sets the dead fraction at or above which a pack is repacked (default 0.25). Packs with no
     * live record are always deleted.
     *
     * @param fraction in (0, 1]
     * @return this builder
     */
    public Builder repackThreshold(double fraction) {
      this.repackThreshold = fraction;
      return this;
    }

    /**
     * Sets how long a cycle waits for puts and open batches that started before it (default one
     * minute); an open batch that is never committed or closed would otherwise block GC forever.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = Objects.requireNonNull(timeout, "drainTimeout");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the options
     * @throws IllegalArgumentException naming a value out of range
     */
    public GcOptions build() {
      if (!(repackThreshold > 0 && repackThreshold <= 1)) {
        throw new IllegalArgumentException(
            "repackThreshold must be in (0, 1] but was " + repackThreshold);
      }
      if (drainTimeout.isNegative() || drainTimeout.isZero()) {
        throw new IllegalArgumentException("drainTimeout must be positive but was " + drainTimeout);
      }
      return new GcOptions(this);
    }
  }
}
