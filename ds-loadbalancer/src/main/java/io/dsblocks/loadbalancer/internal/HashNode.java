package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.sharding.Node;

/**
 * Adapts a candidate to ds-sharding's {@link Node}, so a router's answer leads straight back to the
 * endpoint's counters without a map lookup.
 *
 * <p>Immutable and thread-safe.
 */
final class HashNode<E extends Endpoint> implements Node {
  final EndpointState<E> state;
  private final double weight;

  HashNode(EndpointState<E> state, double weight) {
    this.state = state;
    this.weight = weight;
  }

  @Override
  public String id() {
    return state.id;
  }

  @Override
  public double weight() {
    return weight;
  }

  @Override
  public String zone() {
    return state.endpoint.zone();
  }
}
