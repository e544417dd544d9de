package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;

/**
 * A strategy bound to one snapshot of candidates. Immutable apart from the counters the strategy
 * needs (a round-robin position); {@link #select} is called concurrently and must be lock-free and
 * allocation-free.
 *
 * <p>Thread-safety: implementations are thread-safe (immutable except for atomic counters).
 *
 * @param <E> endpoint type
 */
public abstract class Selector<E extends Endpoint> {

  /**
   * Chooses one of the snapshot's candidates (there is at least one). Does not count the request;
   * the balancer does that after exclusions are applied.
   *
   * @param ctx the request context
   * @return the chosen candidate
   */
  public abstract EndpointState<E> select(RequestContext ctx);
}
