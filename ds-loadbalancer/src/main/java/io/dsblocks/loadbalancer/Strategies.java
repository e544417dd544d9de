package io.dsblocks.loadbalancer;

import io.dsblocks.loadbalancer.internal.BoundedLoadFactory;
import io.dsblocks.loadbalancer.internal.HashFactory;
import io.dsblocks.loadbalancer.internal.LeastRequestFactory;
import io.dsblocks.loadbalancer.internal.PeakEwmaFactory;
import io.dsblocks.loadbalancer.internal.PowerOfTwoFactory;
import io.dsblocks.loadbalancer.internal.RandomFactory;
import io.dsblocks.loadbalancer.internal.RoundRobinFactory;
import io.dsblocks.loadbalancer.internal.SmoothWeightedFactory;
import io.dsblocks.loadbalancer.internal.WeightedRandomFactory;
import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.Scheme;
import io.dsblocks.sharding.ShardRouters;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Every balancing strategy, as static factories. Pass the result to {@link
 * LoadBalancers#builder(Strategy)}.
 *
 * <table>
 *   <caption>Strategies</caption>
 *   <tr><th>strategy</th><th>pick cost</th><th>uses</th></tr>
 *   <tr><td>{@link #roundRobin()}</td><td>O(1)</td><td>order</td></tr>
 *   <tr><td>{@link #smoothWeightedRoundRobin()}</td><td>O(1)</td><td>weights</td></tr>
 *   <tr><td>{@link #random()}</td><td>O(1)</td><td>-</td></tr>
 *   <tr><td>{@link #weightedRandom()}</td><td>O(1)</td><td>weights</td></tr>
 *   <tr><td>{@link #leastRequest()}, {@link #leastConnections()}</td><td>O(n)</td>
 *       <td>in-flight counts, weights</td></tr>
 *   <tr><td>{@link #powerOfTwoChoices()}</td><td>O(1)</td><td>in-flight counts, weights</td></tr>
 *   <tr><td>{@link #peakEwma()}</td><td>O(1)</td><td>latency, in-flight counts, weights</td></tr>
 *   <tr><td>{@link #ringHash()}, {@link #maglev()}</td><td>O(1)</td><td>request key</td></tr>
 *   <tr><td>{@link #boundedLoadHash(double)}</td><td>O(1) expected</td>
 *       <td>request key, in-flight counts</td></tr>
 *   <tr><td>{@link #ipHash()}</td><td>O(1)</td><td>client address</td></tr>
 * </table>
 *
 * <p>Thread-safety: stateless; the returned strategies are immutable.
 */
public final class Strategies {
  private static final Strategy ROUND_ROBIN =
      new Strategy("roundRobin", RoundRobinFactory.INSTANCE);
  private static final Strategy SMOOTH_WRR =
      new Strategy("smoothWeightedRoundRobin", SmoothWeightedFactory.INSTANCE);
  private static final Strategy RANDOM = new Strategy("random", RandomFactory.INSTANCE);
  private static final Strategy WEIGHTED_RANDOM =
      new Strategy("weightedRandom", WeightedRandomFactory.INSTANCE);
  private static final Strategy LEAST_REQUEST =
      new Strategy("leastRequest", LeastRequestFactory.INSTANCE);
  private static final Strategy LEAST_CONNECTIONS =
      new Strategy("leastConnections", LeastRequestFactory.INSTANCE);
  private static final Strategy P2C = new Strategy("powerOfTwoChoices", PowerOfTwoFactory.INSTANCE);

  /** Default peak-EWMA decay time constant (Finagle's and Linkerd's). */
  public static final Duration DEFAULT_EWMA_DECAY = Duration.ofSeconds(10);

  /** Default latency estimate of an endpoint without samples. */
  public static final Duration DEFAULT_EWMA_INITIAL = Duration.ofMillis(1);

  /** Default ring points per unit of weight (ds-sharding's). */
  public static final int DEFAULT_POINTS_PER_WEIGHT = ShardRouters.DEFAULT_POINTS_PER_WEIGHT;

  private Strategies() {}

  /**
   * Round robin over the candidates in member order, ignoring weights. Lock-free: one shared atomic
   * counter.
   *
   * @return the strategy
   */
  public static Strategy roundRobin() {
    return ROUND_ROBIN;
  }

  /**
   * NGINX's smooth weighted round robin: over each cycle of {@code sum(weights)} picks every
   * endpoint is picked exactly {@code weight} times, interleaved rather than in bursts (weights 5,
   * 1, 1 give a, a, b, a, c, a, a). The cycle is precomputed per snapshot, so a pick is O(1) and
   * lock-free; see the README for the limits on cycle length.
   *
   * @return the strategy
   */
  public static Strategy smoothWeightedRoundRobin() {
    return SMOOTH_WRR;
  }

  /**
   * Uniform random choice, ignoring weights.
   *
   * @return the strategy
   */
  public static Strategy random() {
    return RANDOM;
  }

  /**
   * Random choice proportional to weight, O(1) by the alias method.
   *
   * @return the strategy
   */
  public static Strategy weightedRandom() {
    return WEIGHTED_RANDOM;
  }

  /**
   * Exact least request: a full scan for the fewest in-flight requests per unit of weight, ties
   * broken from a random start. O(n) per pick.
   *
   * @return the strategy
   */
  public static Strategy leastRequest() {
    return LEAST_REQUEST;
  }

  /**
   * The same algorithm as {@link #leastRequest()}, named for L4 use: pick when a connection opens,
   * report when it closes, so in-flight counts are open connections.
   *
   * @return the strategy
   */
  public static Strategy leastConnections() {
    return LEAST_CONNECTIONS;
  }

  /**
   * Power of two choices: two distinct random candidates, the one with fewer in-flight requests per
   * unit of weight wins. Nearly as balanced as the exact scan at O(1).
   *
   * @return the strategy
   */
  public static Strategy powerOfTwoChoices() {
    return P2C;
  }

  /**
   * Least response time with the default decay ({@link #DEFAULT_EWMA_DECAY}) and initial estimate
   * ({@link #DEFAULT_EWMA_INITIAL}); see {@link #peakEwma(Duration, Duration)}.
   *
   * @return the strategy
   */
  public static Strategy peakEwma() {
    return peakEwma(DEFAULT_EWMA_DECAY, DEFAULT_EWMA_INITIAL);
  }

  /**
   * Least response time (Finagle's and Linkerd's peak EWMA): power of two choices on {@code
   * latencyEstimate × (inFlight + 1) / weight}. The estimate jumps to any higher sample at once and
   * otherwise moves towards samples, and towards zero while there are none, with time constant
   * {@code decay}. Needs latencies reported through {@link Selection}.
   *
   * @param decay the time constant, 1 ms to 1 h
   * @param initialEstimate the estimate of an endpoint with no samples yet, 0 to 1 h
   * @return the strategy
   * @throws IllegalArgumentException naming the parameter, value and range
   */
  public static Strategy peakEwma(Duration decay, Duration initialEstimate) {
    checkDuration("decay", decay, Duration.ofMillis(1), Duration.ofHours(1));
    checkDuration("initialEstimate", initialEstimate, Duration.ZERO, Duration.ofHours(1));
    return new Strategy(
        "peakEwma", new PeakEwmaFactory(decay.toNanos(), initialEstimate.toNanos()));
  }

  /**
   * Consistent hashing on a ds-sharding ring with {@link #DEFAULT_POINTS_PER_WEIGHT} points per
   * unit of weight. Hashes {@link RequestContext#keyHash()} (else the client address; else picks at
   * random).
   *
   * @return the strategy
   */
  public static Strategy ringHash() {
    return ringHash(DEFAULT_POINTS_PER_WEIGHT);
  }

  /**
   * Consistent hashing on a ds-sharding ring.
   *
   * @param pointsPerWeight ring points per unit of weight, 1 to 100,000
   * @return the strategy
   * @throws IllegalArgumentException if out of range
   */
  public static Strategy ringHash(int pointsPerWeight) {
    checkRange("pointsPerWeight", pointsPerWeight, 1, 100_000);
    return new Strategy(
        "ringHash",
        new HashFactory(
            Scheme.RING,
            pointsPerWeight,
            ShardRouters.DEFAULT_MAGLEV_TABLE_SIZE,
            HashFactory.Source.KEY));
  }

  /**
   * Consistent hashing on a ds-sharding Maglev table of the default size (65537): O(1) lookups and
   * near-perfect balance; more keys move on membership changes than with a ring.
   *
   * @return the strategy
   */
  public static Strategy maglev() {
    return maglev(ShardRouters.DEFAULT_MAGLEV_TABLE_SIZE);
  }

  /**
   * Consistent hashing on a Maglev table.
   *
   * @param tableSize a prime, at least the number of endpoints, at most 2^24
   * @return the strategy
   * @throws IllegalArgumentException if the size is not a prime in range
   */
  public static Strategy maglev(int tableSize) {
    checkRange("tableSize", tableSize, 2, ShardRouters.MAX_MAGLEV_TABLE_SIZE);
    // Let ds-sharding judge primality now rather than at the first build.
    ShardRouters.builder(Scheme.MAGLEV).maglevTableSize(tableSize).build(List.of(Node.of("x")));
    return new Strategy(
        "maglev",
        new HashFactory(
            Scheme.MAGLEV, DEFAULT_POINTS_PER_WEIGHT, tableSize, HashFactory.Source.KEY));
  }

  /**
   * Consistent hashing with bounded loads (ds-sharding's {@code BoundedLoadRouter}): no endpoint
   * takes a new request while it has {@code ceil(capacityFactor × mean)} or more in flight (mean
   * weighted); such keys walk the ring to the next endpoint under its cap.
   *
   * @param capacityFactor c, in [1, 100]; 1.25 is common
   * @return the strategy
   * @throws IllegalArgumentException if out of range
   */
  public static Strategy boundedLoadHash(double capacityFactor) {
    if (!(capacityFactor >= 1.0 && capacityFactor <= 100.0)) {
      throw new IllegalArgumentException(
          "capacityFactor must be in [1.0, 100.0], was " + capacityFactor);
    }
    return new Strategy(
        "boundedLoadHash", new BoundedLoadFactory(DEFAULT_POINTS_PER_WEIGHT, capacityFactor));
  }

  /**
   * IP hash: Maglev consistent hashing of {@link RequestContext#clientAddress()}, so a client
   * sticks to one endpoint while it is available; contexts without a client pick at random.
   *
   * @return the strategy
   */
  public static Strategy ipHash() {
    return new Strategy(
        "ipHash",
        new HashFactory(
            Scheme.MAGLEV,
            DEFAULT_POINTS_PER_WEIGHT,
            ShardRouters.DEFAULT_MAGLEV_TABLE_SIZE,
            HashFactory.Source.CLIENT));
  }

  static void checkRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "], was " + value);
    }
  }

  static void checkDuration(String name, Duration d, Duration min, Duration max) {
    Objects.requireNonNull(d, name + " must not be null");
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + d);
    }
  }
}
