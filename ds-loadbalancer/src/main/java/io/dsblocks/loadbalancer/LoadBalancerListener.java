package io.dsblocks.loadbalancer;

import io.dsblocks.loadbalancer.health.EjectionReason;

/**
 * Receives a balancer's or pool's events. Every method has an empty default, so implement only what
 * you need. No allocation or dispatch happens while no listener is registered.
 *
 * <p>Callbacks run synchronously on the thread that caused the event (a health-check thread, the
 * thread that reported the failure that triggered an ejection, the thread calling {@code update} or
 * {@code pick}), while the balancer holds its state lock: they must be fast and must not block. An
 * exception thrown by a listener is caught and ignored. Implementations must be thread-safe.
 */
public interface LoadBalancerListener {

  /**
   * Active health checking (or {@link LoadBalancer#setHealthy}) marked an endpoint healthy again.
   *
   * @param balancer the balancer's name
   * @param endpoint the endpoint
   */
  default void onEndpointHealthy(String balancer, Endpoint endpoint) {}

  /**
   * Active health checking (or {@link LoadBalancer#setHealthy}) marked an endpoint unhealthy.
   *
   * @param balancer the balancer's name
   * @param endpoint the endpoint
   */
  default void onEndpointUnhealthy(String balancer, Endpoint endpoint) {}

  /**
   * Outlier detection ejected an endpoint.
   *
   * @param balancer the balancer's name
   * @param endpoint the endpoint
   * @param reason why
   * @param ejectionNanos how long it stays ejected (base time × ejection count, capped)
   * @param ejectionCount how many times in a row it has been ejected, including this one
   */
  default void onEndpointEjected(
      String balancer,
      Endpoint endpoint,
      EjectionReason reason,
      long ejectionNanos,
      int ejectionCount) {}

  /**
   * An ejected endpoint's ejection time ended; it receives traffic again.
   *
   * @param balancer the balancer's name
   * @param endpoint the endpoint
   */
  default void onEndpointReturned(String balancer, Endpoint endpoint) {}

  /**
   * The healthy share fell below the panic threshold: the balancer now spreads requests over all
   * endpoints, healthy or not, instead of overloading the few healthy ones.
   *
   * @param balancer the balancer's name
   * @param healthyShare the share that triggered panic
   */
  default void onPanicEntered(String balancer, double healthyShare) {}

  /**
   * The healthy share recovered to the panic threshold or above; only available endpoints are
   * picked again.
   *
   * @param balancer the balancer's name
   * @param healthyShare the current share
   */
  default void onPanicLeft(String balancer, double healthyShare) {}

  /**
   * A pool switched the group that serves requests (active-passive failover or fail-back).
   *
   * @param pool the pool's name
   * @param fromGroup the group that served until now
   * @param toGroup the group that serves from now on
   */
  default void onFailover(String pool, String fromGroup, String toGroup) {}
}
