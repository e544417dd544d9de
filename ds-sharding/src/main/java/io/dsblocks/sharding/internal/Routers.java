package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.Scheme;
import io.dsblocks.sharding.ShardRouter;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/** Validates a node set and builds the router for a scheme. */
public final class Routers {
  /** Upper bound on members; slot indexes are packed into 24 bits in a few places. */
  public static final int MAX_NODES = 1 << 20;

  private Routers() {}

  /**
   * Builds a router.
   *
   * @param spec validated settings
   * @param nodes the members
   * @param <N> node type
   * @return the router
   */
  public static <N extends Node> ShardRouter<N> create(RouterSpec spec, Collection<N> nodes) {
    validate(spec.scheme(), nodes);
    switch (spec.scheme()) {
      case RING:
        return new RingRouter<>(spec, nodes);
      case JUMP:
        return new JumpRouter<>(spec, AbstractRouter.sortedById(nodes));
      case RENDEZVOUS:
        return new RendezvousRouter<>(spec, nodes);
      case MAGLEV:
        return new MaglevRouter<>(spec, nodes);
      case MULTI_PROBE:
        return new MultiProbeRouter<>(spec, nodes);
      case ANCHOR:
        return AnchorRouter.create(spec, nodes);
      default:
        throw new IllegalArgumentException("unknown scheme " + spec.scheme());
    }
  }

  /**
   * Checks a node set: not null, not empty, no null element, valid id/weight/zone, no duplicate id,
   * unit weights for schemes without weight support.
   *
   * @param scheme the scheme
   * @param nodes the nodes
   */
  public static void validate(Scheme scheme, Collection<? extends Node> nodes) {
    Objects.requireNonNull(nodes, "nodes must not be null");
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("node set must not be empty (at least 1 node required)");
    }
    if (nodes.size() > MAX_NODES) {
      throw new IllegalArgumentException(
          "too many nodes: " + nodes.size() + " (allowed range: [1, " + MAX_NODES + "])");
    }
    Set<String> ids = new HashSet<>();
    for (Node n : nodes) {
      Objects.requireNonNull(n, "nodes must not contain null");
      String id = n.id();
      Objects.requireNonNull(id, "node id must not be null");
      if (id.isEmpty()) {
        throw new IllegalArgumentException("node id must not be empty");
      }
      double w = n.weight();
      if (!(w > 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException(
            "weight of node '" + id + "' must be finite and > 0, was " + w);
      }
      Objects.requireNonNull(n.zone(), () -> "zone of node '" + id + "' must not be null");
      if (!ids.add(id)) {
        throw new IllegalArgumentException("duplicate node id '" + id + "'");
      }
      if (w != 1.0 && !supportsWeights(scheme)) {
        throw new IllegalArgumentException(
            scheme
                + " does not support weights, but node '"
                + id
                + "' has weight "
                + w
                + "; use RING, RENDEZVOUS or MAGLEV for weighted nodes");
      }
    }
  }

  /**
   * Whether a scheme honours node weights.
   *
   * @param scheme the scheme
   * @return true for ring, rendezvous and Maglev
   */
  public static boolean supportsWeights(Scheme scheme) {
    return scheme == Scheme.RING || scheme == Scheme.RENDEZVOUS || scheme == Scheme.MAGLEV;
  }
}
