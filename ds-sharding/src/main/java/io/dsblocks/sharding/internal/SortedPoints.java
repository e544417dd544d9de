package io.dsblocks.sharding.internal;

/**
 * Ring points in a sorted primitive array plus a bucket index over the top bits of the hash, so
 * finding the successor of a hash is a table load and a scan of about one point instead of a binary
 * search. Immutable.
 */
final class SortedPoints {
  /** Points with the sign bit flipped, so signed order equals unsigned order of the hashes. */
  final long[] flipped;

  /** Owning slot of each point. */
  final int[] owners;

  /** index[b] = first point whose top {@code bits} bits are at least b; length 2^bits + 1. */
  private final int[] index;

  private final int shift;

  /**
   * Builds the structure. Points must be given in ascending owner order so equal points resolve to
   * the lowest slot, which is deterministic because slots are assigned from ids.
   *
   * @param points raw point hashes
   * @param pointOwners owner slot of each point
   */
  SortedPoints(long[] points, int[] pointOwners) {
    int n = points.length;
    // Sort the flipped points as primitives, then give each point its owner by binary search.
    // Owners are visited in the order given (ascending slot), so among equal points the lowest
    // slot comes first: deterministic tie-breaking without boxing.
    this.flipped = new long[n];
    for (int i = 0; i < n; i++) {
      flipped[i] = points[i] ^ Long.MIN_VALUE;
    }
    java.util.Arrays.sort(flipped);
    this.owners = new int[n];
    java.util.Arrays.fill(owners, -1);
    for (int i = 0; i < n; i++) {
      int at = lowerBound(flipped, points[i] ^ Long.MIN_VALUE);
      while (owners[at] >= 0) {
        at++;
      }
      owners[at] = pointOwners[i];
    }
    int bits = Math.max(1, Math.min(24, 64 - Long.numberOfLeadingZeros(n)));
    this.shift = 64 - bits;
    int buckets = 1 << bits;
    this.index = new int[buckets + 1];
    int p = 0;
    for (int b = 0; b <= buckets; b++) {
      while (p < n && ((flipped[p] ^ Long.MIN_VALUE) >>> shift) < b) {
        p++;
      }
      index[b] = p;
    }
  }

  /**
   * Index of the first point at or after {@code hash} (clockwise), wrapping to 0.
   *
   * @param hash the hash
   * @return point index
   */
  int successor(long hash) {
    long f = hash ^ Long.MIN_VALUE;
    int b = (int) (hash >>> shift);
    int i = index[b];
    int end = index[b + 1];
    long[] pts = flipped;
    while (i < end && pts[i] < f) {
      i++;
    }
    return i == pts.length ? 0 : i;
  }

  /**
   * The raw (unflipped) hash of point {@code i}.
   *
   * @param i point index
   * @return the point's hash
   */
  long point(int i) {
    return flipped[i] ^ Long.MIN_VALUE;
  }

  int size() {
    return flipped.length;
  }

  private static int lowerBound(long[] a, long key) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Hash ranges owned by each point: (previous point, point], with the wrap-around range split at
   * 0. Empty ranges (duplicate points) are skipped.
   *
   * @param startsOut receives range starts
   * @param ownersOut receives owners
   * @return number of ranges written (arrays must have room for size() + 1)
   */
  int ranges(long[] startsOut, int[] ownersOut) {
    int n = flipped.length;
    int k = 0;
    startsOut[k] = 0;
    ownersOut[k++] = owners[0];
    for (int i = 1; i < n; i++) {
      long prev = point(i - 1);
      if (prev == point(i)) {
        continue;
      }
      startsOut[k] = prev + 1;
      ownersOut[k++] = owners[i];
    }
    long last = point(n - 1);
    if (last != -1L) {
      startsOut[k] = last + 1;
      ownersOut[k++] = owners[0];
    }
    // Ranges starting at 0 when the first point is 0: the first "range" [0,0] belongs to point 0
    // and the next start is 1 — consistent. Merge neighbours with equal owners.
    int m = 0;
    for (int i = 0; i < k; i++) {
      if (m > 0 && ownersOut[m - 1] == ownersOut[i]) {
        continue;
      }
      startsOut[m] = startsOut[i];
      ownersOut[m++] = ownersOut[i];
    }
    return m;
  }
}
