package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.sharding.BoundedLoadRouter;
import io.dsblocks.sharding.LoadView;
import io.dsblocks.sharding.Scheme;
import io.dsblocks.sharding.ShardRouters;
import java.util.ArrayList;
import java.util.List;

/**
 * Consistent hashing with bounded loads through ds-sharding's {@link BoundedLoadRouter}: a key goes
 * to its ring owner unless that endpoint already has {@code ceil(c × (total + 1) × w / W)} requests
 * in flight, in which case it walks the ring to the next endpoint below its cap. Loads are the
 * balancer's in-flight counts; the total is a {@link java.util.concurrent.atomic.LongAdder} the
 * balancer maintains for this strategy only.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class BoundedLoadFactory implements SelectorFactory {
  private final int pointsPerWeight;
  private final double capacityFactor;

  /**
   * Creates the factory; settings are validated by the caller.
   *
   * @param pointsPerWeight ring points per unit of weight
   * @param capacityFactor c, at least 1
   */
  public BoundedLoadFactory(int pointsPerWeight, double capacityFactor) {
    this.pointsPerWeight = pointsPerWeight;
    this.capacityFactor = capacityFactor;
  }

  @Override
  public boolean needsTotalInFlight() {
    return true;
  }

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    List<HashNode<E>> nodes = new ArrayList<>(c.states.length);
    for (EndpointState<E> st : c.states) {
      nodes.add(new HashNode<>(st, st.endpoint.weight()));
    }
    BoundedLoadRouter<HashNode<E>> router =
        BoundedLoadRouter.create(
            ShardRouters.builder(Scheme.RING).pointsPerWeight(pointsPerWeight),
            nodes,
            capacityFactor);
    return new Bounded<>(c.states, router, c.owner);
  }

  private static final class Bounded<E extends Endpoint> extends Selector<E>
      implements LoadView<HashNode<E>> {
    private final EndpointState<E>[] states;
    private final BoundedLoadRouter<HashNode<E>> router;
    private final DefaultLoadBalancer<E> owner;

    Bounded(
        EndpointState<E>[] states,
        BoundedLoadRouter<HashNode<E>> router,
        DefaultLoadBalancer<E> owner) {
      this.states = states;
      this.router = router;
      this.owner = owner;
    }

    @Override
    public long load(HashNode<E> node) {
      return node.state.inFlight();
    }

    @Override
    public long totalLoad() {
      return owner.totalInFlight();
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      long h;
      if (ctx.hasKey()) {
        h = ctx.keyHash();
      } else if (ctx.hasClient()) {
        h = ctx.clientHash();
      } else {
        return states[owner.rng.nextInt(states.length)];
      }
      try {
        return router.routeHash(h, this).state;
      } catch (IllegalStateException raced) {
        // Counts moved between reading the total and reading the loads (every node looked full):
        // fall back to the unbounded owner for this one request.
        return router.ring().routeHash(h).state;
      }
    }
  }
}
