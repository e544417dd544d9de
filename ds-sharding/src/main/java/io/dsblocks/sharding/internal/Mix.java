package io.dsblocks.sharding.internal;

import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;

/** Hash mixing helpers shared by the routers. Stateless. */
public final class Mix {
  /** 2^64 / golden ratio: consecutive multiples are spread evenly over the 64-bit space. */
  public static final long GOLDEN = 0x9E3779B97F4A7C15L;

  // Node-id hashing is fixed (independent of the user's KeyHasher) so that node placement never
  // changes when a user changes how keys are hashed.
  private static final LongHashFunction ID_HASH = LongHashFunction.xx3(0x5EED_1D5L);

  private Mix() {}

  /**
   * The MurmurHash3 64-bit finalizer: a bijection with full avalanche, used to derive independent
   * hashes from one key hash.
   *
   * @param z input
   * @return mixed value
   */
  public static long mix64(long z) {
    z ^= z >>> 33;
    z *= 0xff51afd7ed558ccdL;
    z ^= z >>> 33;
    z *= 0xc4ceb9fe1a85ec53L;
    z ^= z >>> 33;
    return z;
  }

  /**
   * Stable 64-bit hash of a node id (XXH3 of its UTF-8 bytes, fixed seed).
   *
   * @param id node id
   * @return the hash
   */
  public static long idHash(String id) {
    return ID_HASH.hashBytes(id.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Maps the top 32 bits of a hash uniformly onto {@code [0, n)} without division (Lemire's
   * multiply-shift); {@code n} must be below 2^31. Contiguous hash ranges map to the same value,
   * which is what makes table slots hash ranges.
   *
   * @param hash the hash
   * @param n the range size
   * @return a value in {@code [0, n)}
   */
  public static int reduce(long hash, int n) {
    return (int) (((hash >>> 32) * n) >>> 32);
  }

  /**
   * A uniform double in the open interval (0, 1) from 53 bits of a hash.
   *
   * @param hash the hash
   * @return u with 0 &lt; u &lt; 1
   */
  public static double unit(long hash) {
    return ((hash >>> 11) + 0.5) * 0x1.0p-53;
  }

  /**
   * Lamping and Veach's jump consistent hash, exactly as published (same LCG, same double
   * arithmetic), so results match the reference implementation bit for bit.
   *
   * @param key the 64-bit key
   * @param buckets number of buckets, at least 1
   * @return a bucket in {@code [0, buckets)}
   */
  public static int jump(long key, int buckets) {
    // Kept literally in the reference's shape: a hand-"optimised" variant (int bucket, double
    // bound check) measured 2x slower here, because the long compare keeps the loop branch cheap.
    long b = -1;
    long j = 0;
    while (j < buckets) {
      b = j;
      key = key * 2862933555777941757L + 1;
      j = (long) ((b + 1) * (((double) (1L << 31)) / ((double) ((key >>> 33) + 1))));
    }
    return (int) b;
  }

  /**
   * Deterministic primality test for ints (trial division; used only at build time).
   *
   * @param n the candidate
   * @return whether {@code n} is prime
   */
  public static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (int d = 3; (long) d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }
}
