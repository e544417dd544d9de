package io.dsblocks.sharding;

import io.dsblocks.sharding.internal.AbstractRouter;
import io.dsblocks.sharding.internal.AnchorRouter;
import io.dsblocks.sharding.internal.Mix;
import io.dsblocks.sharding.internal.RangeOwnership;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What must move when a cluster changes from one router to another.
 *
 * <p>For ring and Maglev routers (owner constant over hash ranges), the plan is <em>exact</em>:
 * every moved key range with its old and new owner, and the exact fraction of the 64-bit hash space
 * moved. For the other schemes a key's owner is not constant over ranges, so the plan lists
 * <em>pair</em> moves (old owner → new owner), one for every pair that can carry keys given which
 * nodes joined, left or changed slot; per-key decisions ({@link #isMoving(long)}, {@link
 * #moveIndexOf(long)}) are exact, while fractions are estimated from {@value #SAMPLE_SIZE} evenly
 * spread hashes ({@link #isExact()} tells which).
 *
 * <pre>{@code
 * RebalancePlan<SimpleNode> plan = RebalancePlan.between(router, router.withNode(Node.of("f")));
 * System.out.printf("%.1f%% of keys move%n", plan.fractionMoved() * 100);
 * for (Move<SimpleNode> m : plan) { copy(m.from(), m.to(), m.startHash(), m.endHash()); }
 * }</pre>
 *
 * <p>Thread-safety: immutable and thread-safe.
 *
 * @param <N> node type
 */
public final class RebalancePlan<N extends Node> implements Iterable<Move<N>> {
  /** Number of evenly spread hashes used to estimate pair-move fractions. */
  public static final int SAMPLE_SIZE = 1 << 15;

  private final ShardRouter<N> from;
  private final ShardRouter<N> to;
  private final List<Move<N>> moves;
  private final boolean exact;
  private final double fractionMoved;
  // Range plans: sorted range starts of the moves. Pair plans: sorted (fromSlot << 24 | toSlot).
  private final long[] lookupKeys;

  private RebalancePlan(
      ShardRouter<N> from,
      ShardRouter<N> to,
      List<Move<N>> moves,
      boolean exact,
      double fractionMoved,
      long[] lookupKeys) {
    this.from = from;
    this.to = to;
    this.moves = Collections.unmodifiableList(moves);
    this.exact = exact;
    this.fractionMoved = fractionMoved;
    this.lookupKeys = lookupKeys;
  }

  /**
   * Computes the plan from {@code before} to {@code after}.
   *
   * @param before the current router
   * @param after the target router
   * @param <N> node type
   * @return the plan
   * @throws IllegalArgumentException if the routers hash keys differently (different {@link
   *     KeyHasher}s), or are not built by {@link ShardRouters}
   */
  public static <N extends Node> RebalancePlan<N> between(
      ShardRouter<N> before, ShardRouter<N> after) {
    Objects.requireNonNull(before, "before must not be null");
    Objects.requireNonNull(after, "after must not be null");
    if (!before.hasher().equals(after.hasher())) {
      throw new IllegalArgumentException(
          "routers hash keys differently ("
              + before.hasher()
              + " vs "
              + after.hasher()
              + "): every key could move; migrate by rehashing all keys instead");
    }
    if (!(before instanceof AbstractRouter) || !(after instanceof AbstractRouter)) {
      throw new IllegalArgumentException("plans need routers built by ShardRouters");
    }
    AbstractRouter<N> a = (AbstractRouter<N>) before;
    AbstractRouter<N> b = (AbstractRouter<N>) after;
    if (a instanceof RangeOwnership && b instanceof RangeOwnership) {
      return rangePlan(a, b);
    }
    return pairPlan(a, b);
  }

  private static <N extends Node> RebalancePlan<N> rangePlan(
      AbstractRouter<N> a, AbstractRouter<N> b) {
    long[] s1 = ((RangeOwnership) a).rangeStarts();
    int[] o1 = ((RangeOwnership) a).rangeOwners();
    long[] s2 = ((RangeOwnership) b).rangeStarts();
    int[] o2 = ((RangeOwnership) b).rangeOwners();
    List<Move<N>> moves = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    double total = 0;
    int i = 0;
    int j = 0;
    long cur = 0;
    long pendingStart = 0;
    long pendingEnd = 0;
    int pendingFrom = -1;
    int pendingTo = -1;
    while (true) {
      boolean endI = i + 1 >= s1.length;
      boolean endJ = j + 1 >= s2.length;
      long next;
      boolean last = false;
      if (endI && endJ) {
        next = 0; // wraps: this elementary range ends at 2^64-1
        last = true;
      } else if (endI) {
        next = s2[j + 1];
      } else if (endJ) {
        next = s1[i + 1];
      } else {
        next = Long.compareUnsigned(s1[i + 1], s2[j + 1]) <= 0 ? s1[i + 1] : s2[j + 1];
      }
      long end = next - 1;
      N oldOwner = a.slot(o1[i]);
      N newOwner = b.slot(o2[j]);
      if (!oldOwner.id().equals(newOwner.id())) {
        if (pendingFrom == o1[i] && pendingTo == o2[j] && pendingEnd + 1 == cur) {
          pendingEnd = end;
        } else {
          if (pendingFrom >= 0) {
            total +=
                addRange(moves, starts, a, b, pendingStart, pendingEnd, pendingFrom, pendingTo);
          }
          pendingStart = cur;
          pendingEnd = end;
          pendingFrom = o1[i];
          pendingTo = o2[j];
        }
      }
      if (last) {
        break;
      }
      cur = next;
      if (!endI && s1[i + 1] == next) {
        i++;
      }
      if (!endJ && s2[j + 1] == next) {
        j++;
      }
    }
    if (pendingFrom >= 0) {
      total += addRange(moves, starts, a, b, pendingStart, pendingEnd, pendingFrom, pendingTo);
    }
    long[] keys = new long[starts.size()];
    for (int k = 0; k < keys.length; k++) {
      keys[k] = starts.get(k) ^ Long.MIN_VALUE;
    }
    return new RebalancePlan<>(a, b, moves, true, total, keys);
  }

  private static <N extends Node> double addRange(
      List<Move<N>> moves,
      List<Long> starts,
      AbstractRouter<N> a,
      AbstractRouter<N> b,
      long start,
      long end,
      int fromSlot,
      int toSlot) {
    // Length of [start, end] as a fraction of 2^64, computed in doubles to survive 2^64 itself.
    double length = unsignedToDouble(end - start) + 1.0;
    double fraction = length / 0x1.0p64;
    moves.add(
        new Move<>(moves.size(), start, end, a.slot(fromSlot), b.slot(toSlot), fraction, true));
    starts.add(start);
    return fraction;
  }

  private static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  private static <N extends Node> RebalancePlan<N> pairPlan(
      AbstractRouter<N> a, AbstractRouter<N> b) {
    // Nodes whose keys may change owner: joined, left, or (slot-based schemes) moved slot. A
    // scheme switch or an AnchorHash rebuild makes every node "changed".
    boolean slotBased =
        a.scheme() == b.scheme() && (a.scheme() == Scheme.JUMP || a.scheme() == Scheme.ANCHOR);
    boolean incompatible =
        a.scheme() != b.scheme()
            || !sameSettings(a, b)
            || (a instanceof AnchorRouter
                && b instanceof AnchorRouter
                && ((AnchorRouter<N>) a).capacity() != ((AnchorRouter<N>) b).capacity());
    Set<String> changed = new LinkedHashSet<>();
    for (N n : a.nodes()) {
      int sb = b.slotIndexOf(n.id());
      if (incompatible || sb < 0 || (slotBased && sb != a.slotIndexOf(n.id()))) {
        changed.add(n.id());
      }
    }
    for (N n : b.nodes()) {
      int sa = a.slotIndexOf(n.id());
      if (incompatible || sa < 0 || (slotBased && sa != b.slotIndexOf(n.id()))) {
        changed.add(n.id());
      }
    }
    List<long[]> pairs = new ArrayList<>();
    for (N x : a.nodes()) {
      for (N y : b.nodes()) {
        if (!x.id().equals(y.id()) && (changed.contains(x.id()) || changed.contains(y.id()))) {
          pairs.add(new long[] {pairKey(a.slotIndexOf(x.id()), b.slotIndexOf(y.id()))});
        }
      }
    }
    long[] keys = new long[pairs.size()];
    for (int k = 0; k < keys.length; k++) {
      keys[k] = pairs.get(k)[0];
    }
    Arrays.sort(keys);
    long[] counts = new long[keys.length];
    long movedSamples = 0;
    if (!changed.isEmpty()) {
      for (int k = 0; k < SAMPLE_SIZE; k++) {
        long h = k * Mix.GOLDEN;
        N x = a.routeHash(h);
        N y = b.routeHash(h);
        if (!x.id().equals(y.id())) {
          movedSamples++;
          int idx =
              Arrays.binarySearch(keys, pairKey(a.slotIndexOf(x.id()), b.slotIndexOf(y.id())));
          if (idx >= 0) {
            counts[idx]++;
          }
        }
      }
    }
    List<Move<N>> moves = new ArrayList<>(keys.length);
    for (int k = 0; k < keys.length; k++) {
      N x = a.slot((int) (keys[k] >>> 24));
      N y = b.slot((int) (keys[k] & 0xFFFFFF));
      moves.add(new Move<>(k, 0, -1L, x, y, (double) counts[k] / SAMPLE_SIZE, false));
    }
    return new RebalancePlan<>(a, b, moves, false, (double) movedSamples / SAMPLE_SIZE, keys);
  }

  private static boolean sameSettings(AbstractRouter<?> a, AbstractRouter<?> b) {
    return a.spec().pointsPerWeight() == b.spec().pointsPerWeight()
        && a.spec().maglevTableSize() == b.spec().maglevTableSize()
        && a.spec().probes() == b.spec().probes();
  }

  private static long pairKey(int fromSlot, int toSlot) {
    return ((long) fromSlot << 24) | toSlot;
  }

  /**
   * The router before the change.
   *
   * @return the old router
   */
  public ShardRouter<N> from() {
    return from;
  }

  /**
   * The router after the change.
   *
   * @return the new router
   */
  public ShardRouter<N> to() {
    return to;
  }

  /**
   * Every move, ordered by hash range (range plans) or by old/new slot (pair plans).
   *
   * @return an immutable list
   */
  public List<Move<N>> moves() {
    return moves;
  }

  @Override
  public Iterator<Move<N>> iterator() {
    return moves.iterator();
  }

  /**
   * Whether moves are exact hash ranges with exact fractions (ring and Maglev).
   *
   * @return true for range plans
   */
  public boolean isExact() {
    return exact;
  }

  /**
   * Fraction of the key space whose owner changes (exact for range plans, estimated otherwise).
   *
   * @return a value in [0, 1]
   */
  public double fractionMoved() {
    return fractionMoved;
  }

  /**
   * Whether the key with this hash changes owner. Exact for every scheme.
   *
   * @param hash key hash
   * @return true if old and new owner differ
   */
  public boolean isMoving(long hash) {
    return !from.routeHash(hash).id().equals(to.routeHash(hash).id());
  }

  /**
   * The move carrying a key hash. Exact for every scheme; allocation-free.
   *
   * @param hash key hash
   * @return index into {@link #moves()}, or -1 if the key does not move
   */
  public int moveIndexOf(long hash) {
    N x = from.routeHash(hash);
    N y = to.routeHash(hash);
    if (x.id().equals(y.id())) {
      return -1;
    }
    if (exact) {
      int idx = Arrays.binarySearch(lookupKeys, hash ^ Long.MIN_VALUE);
      int k = idx >= 0 ? idx : -idx - 2;
      return k >= 0 && moves.get(k).containsHash(hash) ? k : -1;
    }
    AbstractRouter<N> a = (AbstractRouter<N>) from;
    AbstractRouter<N> b = (AbstractRouter<N>) to;
    int idx =
        Arrays.binarySearch(lookupKeys, pairKey(a.slotIndexOf(x.id()), b.slotIndexOf(y.id())));
    if (idx < 0) {
      throw new IllegalStateException(
          "key moves " + x.id() + " -> " + y.id() + " but the plan has no such move (bug)");
    }
    return idx;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "RebalancePlan[%s, %d moves, %.4f%% of keys move%s]",
        from.scheme(),
        moves.size(),
        fractionMoved * 100,
        exact ? "" : " (estimated)");
  }
}
