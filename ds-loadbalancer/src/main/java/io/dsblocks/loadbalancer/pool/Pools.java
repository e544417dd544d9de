package io.dsblocks.loadbalancer.pool;

import io.dsblocks.loadbalancer.Endpoint;

/**
 * Entry point for pools: compositions of groups ({@link io.dsblocks.loadbalancer.LoadBalancer}s or
 * other pools) that are themselves {@link io.dsblocks.loadbalancer.Picker}s, so a proxy route holds
 * a pool exactly like a single balancer.
 *
 * <pre>{@code
 * Picker<Endpoint> pool = Pools.<Endpoint>activePassive()
 *     .name("orders")
 *     .primary("eu-west", euBalancer)
 *     .standby("eu-central", dcBalancer)
 *     .failoverBelow(0.5).failbackAtOrAbove(0.8).failbackDelay(Duration.ofSeconds(30))
 *     .build();
 *
 * Picker<Endpoint> tiers = Pools.<Endpoint>priority().level(local).level(remote).build();
 * Picker<Endpoint> both = Pools.<Endpoint>activeActive().group(a, 2).group(b, 1).build();
 * }</pre>
 *
 * <p>Thread-safety: stateless; builders are not thread-safe, the pools are.
 */
public final class Pools {
  private Pools() {}

  /**
   * A builder for an active-passive pool (failover with hysteresis).
   *
   * @param <E> endpoint type
   * @return a new builder
   */
  public static <E extends Endpoint> ActivePassivePool.Builder<E> activePassive() {
    return ActivePassivePool.builder();
  }

  /**
   * A builder for a pool of priority levels (Envoy-like spill-over by healthy share).
   *
   * @param <E> endpoint type
   * @return a new builder
   */
  public static <E extends Endpoint> PriorityPool.Builder<E> priority() {
    return PriorityPool.builder();
  }

  /**
   * A builder for an active-active pool (all groups serve, by weight × healthy share).
   *
   * @param <E> endpoint type
   * @return a new builder
   */
  public static <E extends Endpoint> ActiveActivePool.Builder<E> activeActive() {
    return ActiveActivePool.builder();
  }
}
