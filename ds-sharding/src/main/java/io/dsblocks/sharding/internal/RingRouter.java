package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.Node;
import java.util.Arrays;
import java.util.Collection;

/**
 * Consistent-hash ring with virtual nodes. Node {@code i} gets {@code max(1, round(pointsPerWeight
 * × weight))} points derived from its id only, so the ring is a function of the node set.
 * Immutable.
 *
 * @param <N> node type
 */
public final class RingRouter<N extends Node> extends AbstractRouter<N> implements RangeOwnership {
  /** Guard against accidental gigantic rings (memory is 16 bytes per point plus the index). */
  public static final int MAX_POINTS = 1 << 25;

  private final SortedPoints ring;
  private final long[] rangeStarts;
  private final int[] rangeOwners;

  RingRouter(RouterSpec spec, Collection<N> nodes) {
    super(spec, sortedById(nodes));
    double total = 0;
    int[] count = new int[slots.length];
    for (int s = 0; s < slots.length; s++) {
      double want = Math.max(1, Math.rint(spec.pointsPerWeight() * slot(s).weight()));
      total += want;
      count[s] = (int) Math.min(MAX_POINTS + 1L, want);
    }
    if (total > MAX_POINTS) {
      throw new IllegalArgumentException(
          "ring would have "
              + (long) total
              + " points (pointsPerWeight x total weight); allowed at most "
              + MAX_POINTS
              + ": lower pointsPerWeight or the weights");
    }
    long[] points = new long[(int) total];
    int[] owners = new int[(int) total];
    int k = 0;
    for (int s = 0; s < slots.length; s++) {
      long base = slotIdHash[s];
      for (int v = 0; v < count[s]; v++) {
        points[k] = Mix.mix64(base + (v + 1) * Mix.GOLDEN);
        owners[k++] = s;
      }
    }
    this.ring = new SortedPoints(points, owners);
    long[] starts = new long[ring.size() + 1];
    int[] own = new int[ring.size() + 1];
    int m = ring.ranges(starts, own);
    this.rangeStarts = Arrays.copyOf(starts, m);
    this.rangeOwners = Arrays.copyOf(own, m);
  }

  @Override
  protected int slotOf(long hash) {
    return ring.owners[ring.successor(hash)];
  }

  /** Clockwise walk from the key's point: the classic ring successor list. */
  @Override
  protected int[] preference(long hash) {
    int n = size();
    int[] out = new int[n];
    boolean[] seen = new boolean[slots.length];
    int found = 0;
    int p = ring.successor(hash);
    for (int step = 0; step < ring.size() && found < n; step++) {
      int s = ring.owners[p];
      if (!seen[s]) {
        seen[s] = true;
        out[found++] = s;
      }
      p = p + 1 == ring.size() ? 0 : p + 1;
    }
    return out;
  }

  /**
   * Index of the ring point that owns {@code hash} (its clockwise successor).
   *
   * @param hash key hash
   * @return point index in {@code [0, pointCount())}
   */
  public int successorPoint(long hash) {
    return ring.successor(hash);
  }

  /**
   * Owner slot of a point.
   *
   * @param point point index
   * @return slot index
   */
  public int pointOwner(int point) {
    return ring.owners[point];
  }

  /**
   * Number of points on the ring.
   *
   * @return point count
   */
  public int pointCount() {
    return ring.size();
  }

  /**
   * The raw point hashes in ring order (for benchmarks comparing against other ring structures).
   *
   * @return a copy of the points
   */
  public long[] points() {
    long[] out = new long[ring.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ring.point(i);
    }
    return out;
  }

  /**
   * Owner slot of each point, parallel to {@link #points()}.
   *
   * @return a copy of the owners
   */
  public int[] pointOwners() {
    return ring.owners.clone();
  }

  @Override
  public long[] rangeStarts() {
    return rangeStarts;
  }

  @Override
  public int[] rangeOwners() {
    return rangeOwners;
  }
}
