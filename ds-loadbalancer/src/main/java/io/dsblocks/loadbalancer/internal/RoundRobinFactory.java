package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain round robin over the candidates (weights ignored): one shared atomic position.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class RoundRobinFactory implements SelectorFactory {
  /** The only instance. */
  public static final RoundRobinFactory INSTANCE = new RoundRobinFactory();

  private RoundRobinFactory() {}

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    return new RoundRobin<>(c.states, c.owner.sequence);
  }

  private static final class RoundRobin<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final AtomicInteger position;

    RoundRobin(EndpointState<E>[] states, AtomicInteger position) {
      this.states = states;
      this.position = position;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      // The mask keeps the index non-negative after the int wraps (a one-off skip every 2^31).
      int i = position.getAndIncrement() & Integer.MAX_VALUE;
      return states[i % states.length];
    }
  }
}
