package io.dsblocks.sharding;

/**
 * The current load of each node, as seen by the caller (e.g. a load balancer's in-flight request
 * counts), for {@link BoundedLoadRouter#route(Object, LoadView)}.
 *
 * <p>{@link #totalLoad()} must be at least the sum of {@link #load} over the router's nodes (loads
 * of nodes not in the router may be included in the total or not). Implementations are called on
 * the routing thread and should be cheap and allocation-free; they need not be thread-safe if each
 * thread uses its own view.
 *
 * @param <N> node type
 */
public interface LoadView<N extends Node> {
  /**
   * Current load of a node (0 if unknown).
   *
   * @param node a member
   * @return its load, non-negative
   */
  long load(N node);

  /**
   * Sum of all loads.
   *
   * @return the total, non-negative
   */
  long totalLoad();
}
