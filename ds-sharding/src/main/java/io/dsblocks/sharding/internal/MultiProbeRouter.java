package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.Node;
import java.util.Collection;

/**
 * Multi-probe consistent hashing (Appleton and O'Reilly, 2015): one point per node, {@code k} probe
 * hashes per key; the key goes to the node whose point is the closest clockwise successor of any
 * probe. With 21 probes the peak-to-mean load is about 1.05 with a single point per node.
 * Immutable.
 *
 * @param <N> node type
 */
public final class MultiProbeRouter<N extends Node> extends AbstractRouter<N> {
  private final SortedPoints ring;
  private final int probes;

  MultiProbeRouter(RouterSpec spec, Collection<N> nodes) {
    super(spec, sortedById(nodes));
    this.probes = spec.probes();
    long[] points = new long[slots.length];
    int[] owners = new int[slots.length];
    for (int s = 0; s < slots.length; s++) {
      points[s] = Mix.mix64(slotIdHash[s] + Mix.GOLDEN);
      owners[s] = s;
    }
    this.ring = new SortedPoints(points, owners);
  }

  @Override
  protected int slotOf(long hash) {
    long bestDistance = -1L; // unsigned max
    int best = 0;
    for (int j = 0; j < probes; j++) {
      long probe = Mix.mix64(hash + j * Mix.GOLDEN);
      int p = ring.successor(probe);
      // Clockwise distance; unsigned wrap-around arithmetic handles the ring's end.
      long d = ring.point(p) - probe;
      if (Long.compareUnsigned(d, bestDistance) < 0) {
        bestDistance = d;
        best = ring.owners[p];
      }
    }
    return best;
  }
}
