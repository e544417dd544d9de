package io.dsblocks.loadbalancer.health;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of passive outlier detection (what Envoy calls outlier detection and NGINX
 * {@code max_fails}): the balancer watches the outcomes reported on each {@link
 * io.dsblocks.loadbalancer.Selection} and ejects endpoints that misbehave, for a time that grows
 * with each repeated ejection. Pass to {@link
 * io.dsblocks.loadbalancer.LoadBalancers.Builder#outlierDetection}.
 *
 * <ul>
 *   <li><b>Consecutive failures</b>: {@link #consecutiveFailures()} failures in a row (local errors
 *       reported with {@code onFailure} and 5xx responses), reset by any success, eject at once, on
 *       the reporting thread.
 *   <li><b>Consecutive 5xx</b>: {@link #consecutive5xx()} 5xx responses in a row, reset by any
 *       non-5xx response or success (local errors neither count nor reset), eject at once.
 *   <li><b>Success rate</b>: every {@link #interval()}, among endpoints with at least {@link
 *       #successRateRequestVolume()} requests in the interval, and only if there are at least
 *       {@link #successRateMinimumHosts()} of them, those whose success rate is below {@code mean -
 *       successRateStdevFactor × stdev} are ejected.
 *   <li><b>Ejection time</b> is {@code baseEjectionTime × n} for the n-th ejection in a row, capped
 *       at {@link #maxEjectionTime()}; n decreases by one for every interval the endpoint spends
 *       not ejected. Ejections end at the first interval tick after their time is up.
 *   <li><b>Max ejection percent</b>: no ejection happens while {@code floor(maxEjectionPercent ×
 *       members / 100)} endpoints are already ejected, except that one endpoint may always be
 *       ejected when the percentage is above 0.
 * </ul>
 *
 * <p>Interval ticks need no thread: the first outcome reported after an interval has elapsed runs
 * the tick (un-ejections and the success-rate pass) on the reporting thread, with time from the
 * balancer's {@link io.dsblocks.loadbalancer.Ticker}.
 *
 * <p>Defaults (Envoy's): 5 consecutive failures, 5 consecutive 5xx, success rate on with 5 hosts,
 * 100 requests and a factor of 1.9, 10 s interval, 30 s base and 300 s maximum ejection time, at
 * most 10% ejected.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class OutlierDetection {
  private static final OutlierDetection DEFAULTS = builder().build();

  private final int consecutiveFailures;
  private final int consecutive5xx;
  private final boolean successRate;
  private final int successRateMinimumHosts;
  private final int successRateRequestVolume;
  private final double successRateStdevFactor;
  private final Duration interval;
  private final Duration baseEjectionTime;
  private final Duration maxEjectionTime;
  private final double maxEjectionPercent;

  private OutlierDetection(Builder b) {
    this.consecutiveFailures = b.consecutiveFailures;
    this.consecutive5xx = b.consecutive5xx;
    this.successRate = b.successRate;
    this.successRateMinimumHosts = b.successRateMinimumHosts;
    this.successRateRequestVolume = b.successRateRequestVolume;
    this.successRateStdevFactor = b.successRateStdevFactor;
    this.interval = b.interval;
    this.baseEjectionTime = b.baseEjectionTime;
    this.maxEjectionTime = b.maxEjectionTime;
    this.maxEjectionPercent = b.maxEjectionPercent;
  }

  /**
   * The default settings.
   *
   * @return the shared default instance
   */
  public static OutlierDetection defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Failures in a row that eject; 0 disables the rule.
   *
   * @return the threshold
   */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /**
   * 5xx responses in a row that eject; 0 disables the rule.
   *
   * @return the threshold
   */
  public int consecutive5xx() {
    return consecutive5xx;
  }

  /**
   * Whether success-rate outlier detection runs.
   *
   * @return true if enabled
   */
  public boolean successRate() {
    return successRate;
  }

  /**
   * Endpoints with enough requests needed before success-rate detection judges any.
   *
   * @return the minimum
   */
  public int successRateMinimumHosts() {
    return successRateMinimumHosts;
  }

  /**
   * Requests an endpoint needs in one interval to be judged by success rate.
   *
   * @return the volume
   */
  public int successRateRequestVolume() {
    return successRateRequestVolume;
  }

  /**
   * How many standard deviations below the mean success rate is an outlier.
   *
   * @return the factor
   */
  public double successRateStdevFactor() {
    return successRateStdevFactor;
  }

  /**
   * Time between ticks (success-rate pass, un-ejection, backoff decay).
   *
   * @return the interval
   */
  public Duration interval() {
    return interval;
  }

  /**
   * Ejection time of a first ejection.
   *
   * @return the base time
   */
  public Duration baseEjectionTime() {
    return baseEjectionTime;
  }

  /**
   * Cap of the ejection time.
   *
   * @return the cap
   */
  public Duration maxEjectionTime() {
    return maxEjectionTime;
  }

  /**
   * The most endpoints that may be ejected at once, in percent of the members.
   *
   * @return 0 to 100
   */
  public double maxEjectionPercent() {
    return maxEjectionPercent;
  }

  @Override
  public String toString() {
    return "OutlierDetection{consecutiveFailures="
        + consecutiveFailures
        + ", consecutive5xx="
        + consecutive5xx
        + ", successRate="
        + successRate
        + (successRate
            ? " (minHosts="
                + successRateMinimumHosts
                + ", volume="
                + successRateRequestVolume
                + ", stdevFactor="
                + successRateStdevFactor
                + ")"
            : "")
        + ", interval="
        + interval
        + ", baseEjectionTime="
        + baseEjectionTime
        + ", maxEjectionTime="
        + maxEjectionTime
        + ", maxEjectionPercent="
        + maxEjectionPercent
        + '}';
  }

  /** Builds {@link OutlierDetection}; validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private int consecutiveFailures = 5;
    private int consecutive5xx = 5;
    private boolean successRate = true;
    private int successRateMinimumHosts = 5;
    private int successRateRequestVolume = 100;
    private double successRateStdevFactor = 1.9;
    private Duration interval = Duration.ofSeconds(10);
    private Duration baseEjectionTime = Duration.ofSeconds(30);
    private Duration maxEjectionTime = Duration.ofSeconds(300);
    private double maxEjectionPercent = 10;

    private Builder() {}

    /**
     * Failures in a row that eject (default 5).
     *
     * @param n 0 (off) to 1,000,000
     * @return this builder
     */
    public Builder consecutiveFailures(int n) {
      this.consecutiveFailures = n;
      return this;
    }

    /**
     * 5xx responses in a row that eject (default 5).
     *
     * @param n 0 (off) to 1,000,000
     * @return this builder
     */
    public Builder consecutive5xx(int n) {
      this.consecutive5xx = n;
      return this;
    }

    /**
     * Turns success-rate detection on or off (default on).
     *
     * @param enabled whether it runs
     * @return this builder
     */
    public Builder successRate(boolean enabled) {
      this.successRate = enabled;
      return this;
    }

    /**
     * Success-rate settings.
     *
     * @param minimumHosts endpoints with enough volume needed, 1 to 10,000 (default 5)
     * @param requestVolume requests per interval an endpoint needs, 1 to 1,000,000,000 (default
     *     100)
     * @param stdevFactor outlier distance below the mean in standard deviations, in (0, 100]
     *     (default 1.9)
     * @return this builder
     */
    public Builder successRate(int minimumHosts, int requestVolume, double stdevFactor) {
      this.successRate = true;
      this.successRateMinimumHosts = minimumHosts;
      this.successRateRequestVolume = requestVolume;
      this.successRateStdevFactor = stdevFactor;
      return this;
    }

    /**
     * Time between ticks (default 10 s).
     *
     * @param interval 1 ms to 1 h
     * @return this builder
     */
    public Builder interval(Duration interval) {
      this.interval = Objects.requireNonNull(interval, "interval must not be null");
      return this;
    }

    /**
     * First ejection's duration (default 30 s).
     *
     * @param time 1 ms to 1 day
     * @return this builder
     */
    public Builder baseEjectionTime(Duration time) {
      this.baseEjectionTime = Objects.requireNonNull(time, "baseEjectionTime must not be null");
      return this;
    }

    /**
     * Longest ejection (default 300 s).
     *
     * @param time from the base ejection time to 1 day
     * @return this builder
     */
    public Builder maxEjectionTime(Duration time) {
      this.maxEjectionTime = Objects.requireNonNull(time, "maxEjectionTime must not be null");
      return this;
    }

    /**
     * Most endpoints ejected at once, in percent (default 10).
     *
     * @param percent 0 to 100
     * @return this builder
     */
    public Builder maxEjectionPercent(double percent) {
      this.maxEjectionPercent = percent;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the settings
     * @throws IllegalArgumentException naming the field, the bad value and the allowed range
     */
    public OutlierDetection build() {
      checkRange("consecutiveFailures", consecutiveFailures, 0, 1_000_000);
      checkRange("consecutive5xx", consecutive5xx, 0, 1_000_000);
      checkRange("successRateMinimumHosts", successRateMinimumHosts, 1, 10_000);
      checkRange("successRateRequestVolume", successRateRequestVolume, 1, 1_000_000_000);
      if (!(successRateStdevFactor > 0 && successRateStdevFactor <= 100)) {
        throw new IllegalArgumentException(
            "successRateStdevFactor must be in (0, 100], was " + successRateStdevFactor);
      }
      checkDuration("interval", interval, Duration.ofMillis(1), Duration.ofHours(1));
      checkDuration("baseEjectionTime", baseEjectionTime, Duration.ofMillis(1), Duration.ofDays(1));
      checkDuration("maxEjectionTime", maxEjectionTime, baseEjectionTime, Duration.ofDays(1));
      if (!(maxEjectionPercent >= 0 && maxEjectionPercent <= 100)) {
        throw new IllegalArgumentException(
            "maxEjectionPercent must be in [0, 100], was " + maxEjectionPercent);
      }
      return new OutlierDetection(this);
    }

    private static void checkRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], was " + value);
      }
    }

    static void checkDuration(String name, Duration d, Duration min, Duration max) {
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], was " + d);
      }
    }
  }
}
