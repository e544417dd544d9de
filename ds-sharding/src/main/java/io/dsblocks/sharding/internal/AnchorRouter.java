package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.ShardRouter;
import java.util.Collection;

/**
 * AnchorHash (Mendelson, Vargaftik, Barabash, Lorenz, Keslassy, Orda; IEEE/ACM ToN 2021), the
 * compact variant with four int arrays of the anchor capacity {@code a}.
 *
 * <p>Buckets {@code 0..a-1} form the anchor; working buckets hold nodes. A key first hashes to a
 * bucket in the whole anchor; while that bucket is removed, it rehashes among the buckets that were
 * working when it was removed ({@code A[b]} of them), following the replacement chain {@code K}.
 * Expected lookup cost is {@code 1 + ln(a / w)} steps; removals move only the removed node's keys
 * and additions (which undo the most recent removal, LIFO) move only keys to the new node.
 *
 * <p>The state depends on the sequence of membership changes, so every process must apply the same
 * changes in the same order (initial nodes are placed in id order). When all {@code a} buckets are
 * in use, adding a node doubles the capacity and rebuilds, which remaps most keys. Immutable
 * (copy-on-write arrays).
 *
 * @param <N> node type
 */
public final class AnchorRouter<N extends Node> extends AbstractRouter<N> {
  private final int capacity;
  // A[b] = 0 if b is working, else the number of working buckets right after b was removed.
  private final int[] removedAt;
  // K[b] = the bucket that took b's position when b was removed (b itself while working).
  private final int[] replacement;
  // W[i] = bucket at position i (positions 0..working-1 are the working set).
  private final int[] workingAt;
  // L[b] = position of bucket b in W.
  private final int[] position;
  // R = stack of removed buckets, most recent on top.
  private final int[] removedStack;
  private final int removedCount;
  private final int working;

  private AnchorRouter(
      RouterSpec spec,
      Node[] bucketNodes,
      int[] a,
      int[] k,
      int[] w,
      int[] l,
      int[] r,
      int rCount,
      int working) {
    super(spec, bucketNodes);
    this.capacity = bucketNodes.length;
    this.removedAt = a;
    this.replacement = k;
    this.workingAt = w;
    this.position = l;
    this.removedStack = r;
    this.removedCount = rCount;
    this.working = working;
  }

  static <N extends Node> AnchorRouter<N> create(RouterSpec spec, Collection<N> nodes) {
    Node[] sorted = sortedById(nodes);
    int w = sorted.length;
    int cap = spec.anchorCapacity() == 0 ? Math.max(16, 2 * w) : spec.anchorCapacity();
    if (cap < w) {
      throw new IllegalArgumentException(
          "anchorCapacity " + cap + " is smaller than the node count " + w);
    }
    return fresh(spec, sorted, cap);
  }

  private static <N extends Node> AnchorRouter<N> fresh(RouterSpec spec, Node[] sorted, int cap) {
    int w = sorted.length;
    int[] a = new int[cap];
    int[] k = new int[cap];
    int[] wk = new int[cap];
    int[] l = new int[cap];
    int[] r = new int[cap];
    int rc = 0;
    for (int b = 0; b < cap; b++) {
      k[b] = b;
      wk[b] = b;
      l[b] = b;
    }
    // Buckets w..a-1 start removed, as if removed from the top down.
    for (int b = cap - 1; b >= w; b--) {
      r[rc++] = b;
      a[b] = b;
    }
    Node[] bucketNodes = new Node[cap];
    System.arraycopy(sorted, 0, bucketNodes, 0, w);
    return new AnchorRouter<>(spec, bucketNodes, a, k, wk, l, r, rc, w);
  }

  @Override
  protected int slotOf(long hash) {
    int[] a = removedAt;
    int[] k = replacement;
    int b = Mix.reduce(hash, capacity);
    while (a[b] > 0) {
      // Rehash among the a[b] buckets that were working when b was removed; a different hash per
      // bucket keeps successive steps independent.
      int h = Mix.reduce(Mix.mix64(hash ^ ((b + 1) * Mix.GOLDEN)), a[b]);
      while (a[h] >= a[b]) {
        h = k[h];
      }
      b = h;
    }
    return b;
  }

  @Override
  public ShardRouter<N> withNode(N node) {
    requireAddable(node);
    if (removedCount == 0) {
      // Anchor exhausted: double it. Placement is recomputed from scratch (most keys move).
      Node[] all = new Node[working + 1];
      for (int i = 0; i < working; i++) {
        all[i] = slots[workingAt[i]];
      }
      all[working] = node;
      return fresh(spec, all, Math.max(16, capacity * 2));
    }
    int[] a = removedAt.clone();
    int[] k = replacement.clone();
    int[] w = workingAt.clone();
    int[] l = position.clone();
    int b = removedStack[removedCount - 1];
    a[b] = 0;
    l[w[working]] = working;
    w[l[b]] = b;
    k[b] = b;
    Node[] bucketNodes = slots.clone();
    bucketNodes[b] = node;
    return new AnchorRouter<>(
        spec, bucketNodes, a, k, w, l, removedStack, removedCount - 1, working + 1);
  }

  @Override
  public ShardRouter<N> withoutNode(String id) {
    requireRemovable(id);
    int b = slotIndexOf(id);
    int[] a = removedAt.clone();
    int[] k = replacement.clone();
    int[] w = workingAt.clone();
    int[] l = position.clone();
    int[] r = removedStack.clone();
    int n = working - 1;
    r[removedCount] = b;
    a[b] = n;
    w[l[b]] = w[n];
    l[w[n]] = l[b];
    k[b] = w[n];
    Node[] bucketNodes = slots.clone();
    bucketNodes[b] = null;
    return new AnchorRouter<>(spec, bucketNodes, a, k, w, l, r, removedCount + 1, n);
  }

  /**
   * The anchor capacity {@code a}.
   *
   * @return capacity
   */
  public int capacity() {
    return capacity;
  }
}
