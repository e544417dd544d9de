package io.dsblocks.loadbalancer;

import io.dsblocks.loadbalancer.health.OutlierDetection;
import io.dsblocks.loadbalancer.internal.DefaultLoadBalancer;
import io.dsblocks.loadbalancer.internal.Rng;
import io.dsblocks.loadbalancer.internal.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Entry point: builds {@link LoadBalancer}s.
 *
 * <pre>{@code
 * LoadBalancer<Endpoint> rr = LoadBalancers.of(Strategies.roundRobin(), endpoints);
 *
 * LoadBalancer<Endpoint> lb = LoadBalancers.builder(Strategies.powerOfTwoChoices())
 *     .name("api")
 *     .localZone("eu-west-1a", 0.7)               // stay in-zone while 70% of it is available
 *     .slowStart(Duration.ofSeconds(30))           // new endpoints ramp up over 30 s
 *     .outlierDetection(OutlierDetection.defaults())
 *     .panicThreshold(0.5)
 *     .build(endpoints);
 * }</pre>
 *
 * <p>Thread-safety: this class is stateless; builders are not thread-safe, the balancers they build
 * are.
 */
public final class LoadBalancers {
  /** Default panic threshold (Envoy's): below 50% available, balance over everything. */
  public static final double DEFAULT_PANIC_THRESHOLD = 0.5;

  private LoadBalancers() {}

  /**
   * A balancer with default settings.
   *
   * @param strategy the strategy
   * @param endpoints the members, not empty, unique ids
   * @param <E> endpoint type
   * @return the balancer
   * @throws IllegalArgumentException if the endpoints are empty, duplicated or invalid
   */
  public static <E extends Endpoint> LoadBalancer<E> of(
      Strategy strategy, Collection<? extends E> endpoints) {
    return builder(strategy).build(endpoints);
  }

  /**
   * A builder for a balancer using {@code strategy}.
   *
   * @param strategy the strategy
   * @return a builder with default settings
   * @throws NullPointerException if {@code strategy} is null
   */
  public static Builder builder(Strategy strategy) {
    return new Builder(Objects.requireNonNull(strategy, "strategy must not be null"));
  }

  /**
   * Settings of a balancer, validated by {@link #build}. Defaults: name {@code "default"}, system
   * ticker, unseeded randomness, panic threshold {@value #DEFAULT_PANIC_THRESHOLD}, no zone
   * preference, no slow start, no outlier detection. Not thread-safe.
   */
  public static final class Builder {
    private final Strategy strategy;
    private String name = "default";
    private Ticker ticker = Ticker.system();
    private Long seed;
    private double panicThreshold = DEFAULT_PANIC_THRESHOLD;
    private String localZone;
    private double minLocalShare = 0.7;
    private Duration slowStart = Duration.ZERO;
    private double slowStartAggression = 1.0;
    private double slowStartMinFactor = 0.1;
    private OutlierDetection outlier;
    private final List<LoadBalancerListener> listeners = new ArrayList<>();

    private Builder(Strategy strategy) {
      this.strategy = strategy;
    }

    /**
     * The name used in events and errors (default {@code "default"}).
     *
     * @param name not empty
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name must not be null");
      return this;
    }

    /**
     * The time source (default {@link Ticker#system()}).
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
      return this;
    }

    /**
     * Makes random choices reproducible: a seeded SplitMix64 generator over one shared atomic
     * instead of {@link java.util.concurrent.ThreadLocalRandom} (default: unseeded).
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Below this share of available endpoints, balance over all endpoints with weight above 0
     * rather than crush the few healthy ones (default {@value #DEFAULT_PANIC_THRESHOLD}; 0 disables
     * panic mode).
     *
     * @param threshold in [0, 1]
     * @return this builder
     */
    public Builder panicThreshold(double threshold) {
      this.panicThreshold = threshold;
      return this;
    }

    /**
     * Prefers endpoints of one zone: while at least {@code minAvailableShare} of that zone's
     * endpoints (and at least one) are available, only they are picked; otherwise all available
     * endpoints are.
     *
     * @param zone the local zone, not empty
     * @param minAvailableShare in (0, 1] (0.7 is a good start)
     * @return this builder
     */
    public Builder localZone(String zone, double minAvailableShare) {
      this.localZone = Objects.requireNonNull(zone, "zone must not be null");
      this.minLocalShare = minAvailableShare;
      return this;
    }

    /**
     * Slow start with a linear ramp and a 10% floor; see {@link #slowStart(Duration, double,
     * double)}.
     *
     * @param window ramp duration, 0 (off) to 1 h
     * @return this builder
     */
    public Builder slowStart(Duration window) {
      return slowStart(window, 1.0, 0.1);
    }

    /**
     * Slow start (Envoy's): an endpoint added by {@link LoadBalancer#update}, marked healthy again
     * or returning from ejection gets weight {@code weight × max(minFactor, (t /
     * window)^(1/aggression))} for {@code t} in [0, window]. Needs a {@linkplain
     * Strategy#weighted() weighted} strategy. Weights advance in 20 steps over the window.
     *
     * @param window ramp duration, 0 (off) to 1 h
     * @param aggression 1 for linear; above 1 ramps faster early; in [0.1, 10]
     * @param minFactor the smallest factor, in (0, 1]
     * @return this builder
     */
    public Builder slowStart(Duration window, double aggression, double minFactor) {
      this.slowStart = Objects.requireNonNull(window, "slowStart window must not be null");
      this.slowStartAggression = aggression;
      this.slowStartMinFactor = minFactor;
      return this;
    }

    /**
     * Turns on passive outlier detection (default off).
     *
     * @param settings the settings, e.g. {@link OutlierDetection#defaults()}
     * @return this builder
     */
    public Builder outlierDetection(OutlierDetection settings) {
      this.outlier = Objects.requireNonNull(settings, "outlierDetection must not be null");
      return this;
    }

    /**
     * Registers a listener from the start (so no event is missed).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(LoadBalancerListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
      return this;
    }

    /**
     * Validates the settings and the endpoints and builds the balancer.
     *
     * @param endpoints the members, not empty, unique ids
     * @param <E> endpoint type
     * @return the balancer
     * @throws IllegalArgumentException naming the bad setting or endpoint, its value and the
     *     allowed range
     * @throws NullPointerException if {@code endpoints} or an element is null
     */
    public <E extends Endpoint> LoadBalancer<E> build(Collection<? extends E> endpoints) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("name must not be empty");
      }
      if (!(panicThreshold >= 0 && panicThreshold <= 1)) {
        throw new IllegalArgumentException(
            "panicThreshold must be in [0.0, 1.0], was " + panicThreshold);
      }
      if (localZone != null) {
        if (localZone.isEmpty()) {
          throw new IllegalArgumentException("localZone must not be empty");
        }
        if (!(minLocalShare > 0 && minLocalShare <= 1)) {
          throw new IllegalArgumentException(
              "minAvailableShare of localZone must be in (0.0, 1.0], was " + minLocalShare);
        }
      }
      Strategies.checkDuration("slowStart window", slowStart, Duration.ZERO, Duration.ofHours(1));
      if (!(slowStartAggression >= 0.1 && slowStartAggression <= 10)) {
        throw new IllegalArgumentException(
            "slowStart aggression must be in [0.1, 10.0], was " + slowStartAggression);
      }
      if (!(slowStartMinFactor > 0 && slowStartMinFactor <= 1)) {
        throw new IllegalArgumentException(
            "slowStart minFactor must be in (0.0, 1.0], was " + slowStartMinFactor);
      }
      if (!slowStart.isZero() && !strategy.weighted()) {
        throw new IllegalArgumentException(
            "slowStart needs a weighted strategy (smoothWeightedRoundRobin, weightedRandom,"
                + " leastRequest, leastConnections, powerOfTwoChoices, peakEwma), was "
                + strategy.name());
      }
      Settings s =
          new Settings(
              name,
              strategy,
              strategy.factory(),
              ticker,
              seed == null ? Rng.threadLocal() : Rng.seeded(seed),
              panicThreshold,
              localZone,
              minLocalShare,
              slowStart.toNanos(),
              slowStartAggression,
              slowStartMinFactor,
              outlier,
              List.copyOf(listeners));
      return new DefaultLoadBalancer<>(s, endpoints);
    }
  }
}
