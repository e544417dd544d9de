package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.sharding.Scheme;
import io.dsblocks.sharding.ShardRouter;
import io.dsblocks.sharding.ShardRouters;
import java.util.ArrayList;
import java.util.List;

/**
 * Consistent hashing through ds-sharding (a ring or a Maglev table over the candidates, built per
 * snapshot): requests with the same key go to the same endpoint, and when a candidate leaves, only
 * its keys move (exactly so for the ring; Maglev also reshuffles a few others, see ds-sharding's
 * README). The hash is the context's key hash ({@link Source#KEY}, falling back to the client
 * address hash) or the client address hash ({@link Source#CLIENT}, IP hash); a context with neither
 * gets a uniform random candidate.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class HashFactory implements SelectorFactory {
  /** Which part of the context is hashed. */
  public enum Source {
    /** The key, else the client address. */
    KEY,
    /** The client address only. */
    CLIENT
  }

  private final Scheme scheme;
  private final int pointsPerWeight;
  private final int maglevTableSize;
  private final Source source;

  /**
   * Creates the factory; settings are validated by the caller.
   *
   * @param scheme {@link Scheme#RING} or {@link Scheme#MAGLEV}
   * @param pointsPerWeight ring points per unit of weight
   * @param maglevTableSize Maglev table size (prime)
   * @param source what to hash
   */
  public HashFactory(Scheme scheme, int pointsPerWeight, int maglevTableSize, Source source) {
    this.scheme = scheme;
    this.pointsPerWeight = pointsPerWeight;
    this.maglevTableSize = maglevTableSize;
    this.source = source;
  }

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    List<HashNode<E>> nodes = new ArrayList<>(c.states.length);
    for (int i = 0; i < c.states.length; i++) {
      nodes.add(new HashNode<>(c.states[i], c.states[i].endpoint.weight()));
    }
    ShardRouter<HashNode<E>> router =
        ShardRouters.builder(scheme)
            .pointsPerWeight(pointsPerWeight)
            .maglevTableSize(maglevTableSize)
            .build(nodes);
    return new Hashing<>(c.states, router, c.owner.rng, source);
  }

  private static final class Hashing<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final ShardRouter<HashNode<E>> router;
    private final Rng rng;
    private final boolean useKey;

    Hashing(EndpointState<E>[] states, ShardRouter<HashNode<E>> router, Rng rng, Source source) {
      this.states = states;
      this.router = router;
      this.rng = rng;
      this.useKey = source == Source.KEY;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      long h;
      if (useKey && ctx.hasKey()) {
        h = ctx.keyHash();
      } else if (ctx.hasClient()) {
        h = ctx.clientHash();
      } else {
        return states[rng.nextInt(states.length)];
      }
      return router.routeHash(h).state;
    }
  }
}
