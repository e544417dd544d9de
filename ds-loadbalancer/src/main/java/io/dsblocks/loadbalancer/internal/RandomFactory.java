package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;

/**
 * Uniform random choice (weights ignored).
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class RandomFactory implements SelectorFactory {
  /** The only instance. */
  public static final RandomFactory INSTANCE = new RandomFactory();

  private RandomFactory() {}

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    return new Uniform<>(c.states, c.owner.rng);
  }

  static final class Uniform<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final Rng rng;

    Uniform(EndpointState<E>[] states, Rng rng) {
      this.states = states;
      this.rng = rng;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      return states[rng.nextInt(states.length)];
    }
  }
}
