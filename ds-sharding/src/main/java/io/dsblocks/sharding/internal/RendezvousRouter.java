package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.Node;
import java.util.Arrays;
import java.util.Collection;

/**
 * Weighted rendezvous hashing with the logarithmic method (Schindelhauer and Schomaker): node score
 * = -weight / ln(u), u uniform in (0,1) from (key hash, node id); the highest score wins. Each node
 * wins with probability exactly weight / total weight. O(n) per lookup. Immutable.
 *
 * @param <N> node type
 */
public final class RendezvousRouter<N extends Node> extends AbstractRouter<N> {
  private final double[] weights;
  // With equal weights -w/ln(u) is increasing in u, so the winner is simply the largest draw:
  // comparing the 53-bit draws directly skips n logarithms per lookup (about 7x faster).
  private final boolean uniform;

  RendezvousRouter(RouterSpec spec, Collection<N> nodes) {
    super(spec, sortedById(nodes));
    weights = new double[slots.length];
    boolean same = true;
    for (int s = 0; s < slots.length; s++) {
      weights[s] = slot(s).weight();
      same &= weights[s] == weights[0];
    }
    uniform = same;
  }

  private long draw(long hash, int s) {
    return Mix.mix64(hash ^ slotIdHash[s]) >>> 11;
  }

  private double score(long hash, int s) {
    return -weights[s] / Math.log(Mix.unit(Mix.mix64(hash ^ slotIdHash[s])));
  }

  @Override
  protected int slotOf(long hash) {
    if (uniform) {
      int best = 0;
      long bestDraw = draw(hash, 0);
      for (int s = 1; s < weights.length; s++) {
        long d = draw(hash, s);
        if (d > bestDraw) {
          bestDraw = d;
          best = s;
        }
      }
      return best;
    }
    int best = 0;
    double bestScore = score(hash, 0);
    for (int s = 1; s < weights.length; s++) {
      double sc = score(hash, s);
      if (sc > bestScore) {
        bestScore = sc;
        best = s;
      }
    }
    return best;
  }

  /** Descending score: the rendezvous preference list. */
  @Override
  protected int[] preference(long hash) {
    int n = weights.length;
    double[] scores = new double[n];
    Integer[] order = new Integer[n];
    for (int s = 0; s < n; s++) {
      // Draws are below 2^53, so they convert to double exactly and keep their order.
      scores[s] = uniform ? (double) draw(hash, s) : score(hash, s);
      order[s] = s;
    }
    // Descending score; ties keep the lower slot first, as slotOf does.
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Double.compare(scores[b], scores[a]);
          return c != 0 ? c : Integer.compare(a, b);
        });
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = order[i];
    }
    return out;
  }
}
