package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;

/**
 * The input of {@link SelectorFactory#create}: the candidates of one snapshot in member order,
 * their effective weights (endpoint weight × slow-start factor, all above 0) and the balancer that
 * owns them (for its random source, ticker and shared counters).
 *
 * <p>Immutable once built; used only while a snapshot is built, under the balancer's lock.
 *
 * @param <E> endpoint type
 */
public final class Candidates<E extends Endpoint> {
  final EndpointState<E>[] states;
  final double[] weights;
  final boolean uniformWeights;
  final DefaultLoadBalancer<E> owner;

  Candidates(EndpointState<E>[] states, double[] weights, DefaultLoadBalancer<E> owner) {
    this.states = states;
    this.weights = weights;
    this.owner = owner;
    boolean uniform = true;
    for (double w : weights) {
      if (w != weights[0]) {
        uniform = false;
        break;
      }
    }
    this.uniformWeights = uniform;
  }

  /**
   * Number of candidates.
   *
   * @return at least 1
   */
  public int size() {
    return states.length;
  }
}
