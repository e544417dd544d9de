package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.Node;
import java.util.Arrays;
import java.util.Collection;

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016). The lookup table of prime size M is filled by
 * letting nodes, sorted by id, take turns claiming their next preferred free entry; node i's
 * preference is the permutation (offset_i + j × skip_i) mod M. Weighted nodes take turns in
 * proportion to weight. A key's entry is chosen by the top 32 bits of its hash (multiply-shift), so
 * every entry is a contiguous hash range. The table is built once, in the constructor (off the
 * lookup path). Immutable.
 *
 * @param <N> node type
 */
public final class MaglevRouter<N extends Node> extends AbstractRouter<N>
    implements RangeOwnership {
  private final int[] table;
  private final int size;
  private final long[] rangeStarts;
  private final int[] rangeOwners;

  MaglevRouter(RouterSpec spec, Collection<N> nodes) {
    super(spec, sortedById(nodes));
    this.size = spec.maglevTableSize();
    if (size < slots.length) {
      throw new IllegalArgumentException(
          "maglevTableSize "
              + size
              + " is smaller than the node count "
              + slots.length
              + "; use a prime of at least 100 x the node count");
    }
    this.table = populate();
    long[] starts = new long[size];
    int[] owners = new int[size];
    int m = 0;
    for (int e = 0; e < size; e++) {
      if (m > 0 && owners[m - 1] == table[e]) {
        continue;
      }
      // First top-32-bit value t with floor(t * size / 2^32) == e is ceil(e * 2^32 / size).
      long t = ((long) e << 32) / size + ((((long) e << 32) % size) == 0 ? 0 : 1);
      starts[m] = t << 32;
      owners[m++] = table[e];
    }
    this.rangeStarts = Arrays.copyOf(starts, m);
    this.rangeOwners = Arrays.copyOf(owners, m);
  }

  private int[] populate() {
    int n = slots.length;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    double[] share = new double[n];
    double[] credit = new double[n];
    double maxWeight = 0;
    for (int s = 0; s < n; s++) {
      maxWeight = Math.max(maxWeight, slot(s).weight());
    }
    for (int s = 0; s < n; s++) {
      offset[s] = Long.remainderUnsigned(Mix.mix64(slotIdHash[s] ^ 0x6D61676C6576L), size);
      skip[s] =
          size == 2
              ? 1
              : Long.remainderUnsigned(Mix.mix64(slotIdHash[s] ^ 0x736B6970L), size - 1) + 1;
      share[s] = slot(s).weight() / maxWeight;
    }
    int[] t = new int[size];
    Arrays.fill(t, -1);
    int filled = 0;
    // Terminates: each round the heaviest node (share 1) claims one free entry, and each node's
    // permutation visits every entry because size is prime and 1 <= skip < size.
    while (true) {
      for (int s = 0; s < n; s++) {
        credit[s] += share[s];
        if (credit[s] < 1.0) {
          continue;
        }
        credit[s] -= 1.0;
        long c = (offset[s] + next[s] * skip[s]) % size;
        while (t[(int) c] >= 0) {
          next[s]++;
          c = (offset[s] + next[s] * skip[s]) % size;
        }
        t[(int) c] = s;
        next[s]++;
        if (++filled == size) {
          return t;
        }
      }
    }
  }

  @Override
  protected int slotOf(long hash) {
    return table[Mix.reduce(hash, size)];
  }

  /**
   * Table size.
   *
   * @return M
   */
  public int tableSize() {
    return size;
  }

  /**
   * Entries per slot, for balance checks.
   *
   * @return count of table entries owned by each slot
   */
  public int[] entriesPerSlot() {
    int[] c = new int[slots.length];
    for (int s : table) {
      c[s]++;
    }
    return c;
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
