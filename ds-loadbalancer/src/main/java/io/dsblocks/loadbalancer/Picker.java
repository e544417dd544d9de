package io.dsblocks.loadbalancer;

/**
 * Anything that picks an endpoint for a request: a {@link LoadBalancer} over one endpoint set, or a
 * pool of them ({@link io.dsblocks.loadbalancer.pool.Pools}). This is what a proxy route holds: its
 * per-request path is {@code pick}, send, then report the outcome on the {@link Selection}.
 *
 * <p>Thread-safety: implementations are thread-safe; {@code pick} is lock-free and allocation-free
 * in every implementation of this module.
 *
 * @param <E> the endpoint type
 */
public interface Picker<E extends Endpoint> {

  /**
   * Picks an endpoint and counts one in-flight request on it.
   *
   * @param ctx what the strategy may look at, not null
   * @return the selection; report the request's outcome on it exactly once
   * @throws NoEndpointAvailableException if no endpoint can take the request
   * @throws NullPointerException if {@code ctx} is null
   */
  default Selection<E> pick(RequestContext ctx) {
    Selection<E> s = tryPick(ctx);
    if (s == null) {
      throw new NoEndpointAvailableException(name(), "healthy share " + healthyShare());
    }
    return s;
  }

  /**
   * Picks an endpoint for a request without key or client: {@code pick(RequestContext.empty())}.
   *
   * @return the selection
   * @throws NoEndpointAvailableException if no endpoint can take the request
   */
  default Selection<E> pick() {
    return pick(RequestContext.empty());
  }

  /**
   * Like {@link #pick(RequestContext)} but returns null instead of throwing when no endpoint is
   * available (so a proxy answering 503 pays for no exception).
   *
   * @param ctx the request context, not null
   * @return the selection, or null
   * @throws NullPointerException if {@code ctx} is null
   */
  Selection<E> tryPick(RequestContext ctx);

  /**
   * The fraction of endpoints that are available (healthy, not ejected, weight above 0) among those
   * with weight above 0; pools define it from their groups. Pools use it to fail over and spill.
   *
   * @return a value in [0, 1]
   */
  double healthyShare();

  /**
   * The name given at build time, used in events and error messages.
   *
   * @return the name
   */
  String name();

  /**
   * Registers a listener; events are delivered synchronously on the thread that caused them.
   *
   * @param listener the listener
   */
  void addListener(LoadBalancerListener listener);

  /**
   * Removes a listener registered with {@link #addListener}; does nothing if it is not registered.
   *
   * @param listener the listener
   */
  void removeListener(LoadBalancerListener listener);
}
