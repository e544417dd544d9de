package io.dsblocks.storage.internal.chunk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Content-defined chunking with FastCDC (Xia et al., USENIX ATC 2016, and the 2020 TPDS extension):
 * a gear rolling hash, normalized chunking and cut-point skipping.
 *
 * <p>How a cut is found, and why:
 *
 * <ul>
 *   <li><b>Gear hash.</b> {@code fp = (fp << 1) + gear[byte]}: one shift and one add per byte, and
 *       since older bytes are shifted out, bit {@code k} of {@code fp} depends only on the last
 *       {@code k + 1} bytes. The masks therefore test high bits (a 30-60 byte window), so a
 *       boundary is a function of local content and survives insertions elsewhere.
 *   <li><b>Seeded gear table.</b> The 256 gear values are derived from a per-repository 32-byte
 *       seed (SHA-256 in counter mode). With a public table, chunk lengths, which are visible in
 *       pack files even when chunks are encrypted, would let an observer test guesses about the
 *       content (a known fingerprinting attack on deduplicating backups); with a secret table they
 *       reveal nothing useful.
 *   <li><b>Cut-point skipping.</b> No boundary may fall before {@code minSize}, so hashing starts
 *       there: the first {@code minSize} bytes of every chunk are never hashed at all.
 *   <li><b>Normalized chunking (level 2 by default).</b> Before {@code avgSize} the mask has {@code
 *       log2(avg) + level} bits (a cut is rarer), after it {@code log2(avg) - level} bits (a cut is
 *       likelier). This squeezes the length distribution around {@code avgSize}, which both
 *       improves dedup (fewer tiny and huge chunks) and lets a larger {@code minSize} be skipped.
 *   <li><b>Two bytes per iteration</b> (FastCDC 2020): one shift by two per pair of bytes, with a
 *       pre-shifted gear table and a pre-shifted mask for the first byte of the pair. Every byte
 *       position is still tested, so the cuts are exactly those of the one-byte-at-a-time algorithm
 *       (a test checks this against a plain reference loop).
 * </ul>
 *
 * <p>A chunk ends just after the byte whose hash matched (the matching byte belongs to the chunk).
 *
 * <p>Immutable and thread-safe; {@link #cut} allocates nothing.
 */
public final class FastCdcChunker implements Chunker {

  /** Smallest allowed {@code minSize}: below this the per-chunk overhead dominates. */
  public static final int MIN_SIZE_LIMIT = 64;

  /** Largest allowed {@code maxSize} (64 MiB): bounds the caller's buffer. */
  public static final int MAX_SIZE_LIMIT = 64 << 20;

  /** Length of the per-repository seed. */
  public static final int SEED_LENGTH = 32;

  /** Default normalization level, the one the FastCDC papers recommend. */
  public static final int DEFAULT_NORMALIZATION = 2;

  private static final byte[] GEAR_DOMAIN =
      "dsblocks-storage fastcdc gear table v1".getBytes(StandardCharsets.US_ASCII);

  private final int minSize;
  private final int avgSize;
  private final int maxSize;
  private final int normalization;
  private final long[] gear;
  // gear[b] << 1, precomputed so the two-byte step needs no extra shift.
  private final long[] gearShifted;
  private final long maskSmall;
  private final long maskLarge;

  /**
   * Creates a chunker with normalization level 2.
   *
   * @param minSize smallest chunk (except a stream's last), in {@code [64, avgSize)}
   * @param avgSize target average chunk length, a power of two in {@code [128, 32 MiB]}
   * @param maxSize largest chunk, in {@code (avgSize, 64 MiB]}
   * @param seed the repository's 32-byte gear seed
   * @throws IllegalArgumentException if a size is out of range or the seed is not 32 bytes
   * @throws NullPointerException if {@code seed} is null
   */
  public FastCdcChunker(int minSize, int avgSize, int maxSize, byte[] seed) {
    this(minSize, avgSize, maxSize, seed, DEFAULT_NORMALIZATION);
  }

  /**
   * Creates a chunker.
   *
   * @param minSize smallest chunk (except a stream's last), in {@code [64, avgSize)}
   * @param avgSize target average chunk length, a power of two in {@code [128, 32 MiB]}
   * @param maxSize largest chunk, in {@code (avgSize, 64 MiB]}
   * @param seed the repository's 32-byte gear seed
   * @param normalization normalization level in {@code [0, 3]}; 0 disables normalized chunking
   * @throws IllegalArgumentException if a size or the level is out of range or the seed is not 32
   *     bytes
   * @throws NullPointerException if {@code seed} is null
   */
  public FastCdcChunker(int minSize, int avgSize, int maxSize, byte[] seed, int normalization) {
    if (seed == null) {
      throw new NullPointerException("seed");
    }
    if (seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException(
          "seed must be " + SEED_LENGTH + " bytes but was " + seed.length + " bytes");
    }
    // avgSize first: the other two ranges are stated relative to it.
    if (Integer.bitCount(avgSize) != 1 || avgSize <= MIN_SIZE_LIMIT || avgSize >= MAX_SIZE_LIMIT) {
      throw new IllegalArgumentException(
          "avgSize must be a power of two in ["
              + 2 * MIN_SIZE_LIMIT
              + ", "
              + MAX_SIZE_LIMIT / 2
              + "] but was "
              + avgSize);
    }
    if (minSize < MIN_SIZE_LIMIT || minSize >= avgSize) {
      throw new IllegalArgumentException(
          "minSize must be in ["
              + MIN_SIZE_LIMIT
              + ", avgSize) = ["
              + MIN_SIZE_LIMIT
              + ", "
              + avgSize
              + ") but was "
              + minSize);
    }
    if (maxSize <= avgSize || maxSize > MAX_SIZE_LIMIT) {
      throw new IllegalArgumentException(
          "maxSize must be in (avgSize, 64 MiB] = ("
              + avgSize
              + ", "
              + MAX_SIZE_LIMIT
              + "] but was "
              + maxSize);
    }
    if (normalization < 0 || normalization > 3) {
      throw new IllegalArgumentException(
          "normalization must be in [0, 3] but was " + normalization);
    }
    this.minSize = minSize;
    this.avgSize = avgSize;
    this.maxSize = maxSize;
    this.normalization = normalization;
    this.gear = gearTable(seed);
    this.gearShifted = new long[256];
    for (int b = 0; b < 256; b++) {
      gearShifted[b] = gear[b] << 1;
    }
    int bits = Integer.numberOfTrailingZeros(avgSize);
    this.maskSmall = highMask(bits + normalization);
    this.maskLarge = highMask(bits - normalization);
  }

  /**
   * A mask of {@code bits} ones just below bit 63. High bits because they depend on the longest
   * window of past bytes; bit 63 excluded so that the two-byte step can test {@code fp1} exactly.
   */
  private static long highMask(int bits) {
    return ((1L << bits) - 1) << (63 - bits);
  }

  /** 256 pseudo-random 64-bit values: SHA-256(domain, seed, counter) for counters 0..63. */
  private static long[] gearTable(byte[] seed) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    long[] table = new long[256];
    for (int block = 0; block < 64; block++) {
      sha.update(GEAR_DOMAIN);
      sha.update(seed);
      sha.update(new byte[] {0, 0, 0, (byte) block});
      byte[] out = sha.digest();
      for (int j = 0; j < 4; j++) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
          v = (v << 8) | (out[j * 8 + k] & 0xffL);
        }
        table[block * 4 + j] = v;
      }
    }
    return table;
  }

  @Override
  public int minSize() {
    return minSize;
  }

  /**
   * Returns the target average chunk length given at construction.
   *
   * @return the average size, a power of two
   */
  public int avgSize() {
    return avgSize;
  }

  @Override
  public int maxSize() {
    return maxSize;
  }

  /**
   * Returns the normalization level.
   *
   * @return the level in {@code [0, 3]}
   */
  public int normalization() {
    return normalization;
  }

  @Override
  public int cut(byte[] data, int offset, int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("length must be > 0 but was " + length);
    }
    if (length <= minSize) {
      return length;
    }
    int n = Math.min(length, maxSize);
    int normal = Math.min(avgSize, n);
    // Locals so the JIT keeps everything in registers; the loops below are the hot path.
    final long[] g = gear;
    final long[] gs = gearShifted;
    long fp = 0;
    int i = offset + minSize;
    // Two bytes per step, as in the FastCDC 2020 paper: after fp = (fp << 2) + gs[a], fp is
    // exactly 2 * fp1 (the one-byte hash after a), so testing it against mask << 1 tests fp1
    // against mask; adding gear[b] then yields fp2. Measured here: ~2.1 GB/s versus ~1.6 GB/s for
    // one byte per step and ~1.5 GB/s for computing fp1 and fp2 as independent expressions.
    long mask = maskSmall;
    long maskShifted = mask << 1;
    for (int last = offset + normal - 1; i < last; i += 2) {
      fp = (fp << 2) + gs[data[i] & 0xff];
      if ((fp & maskShifted) == 0) {
        return i + 1 - offset;
      }
      fp += g[data[i + 1] & 0xff];
      if ((fp & mask) == 0) {
        return i + 2 - offset;
      }
    }
    // An odd-length first region leaves one byte; take it singly so cuts match the 1-byte form.
    if (i < offset + normal) {
      fp = (fp << 1) + g[data[i] & 0xff];
      i++;
      if ((fp & mask) == 0) {
        return i - offset;
      }
    }
    mask = maskLarge;
    maskShifted = mask << 1;
    for (int last = offset + n - 1; i < last; i += 2) {
      fp = (fp << 2) + gs[data[i] & 0xff];
      if ((fp & maskShifted) == 0) {
        return i + 1 - offset;
      }
      fp += g[data[i + 1] & 0xff];
      if ((fp & mask) == 0) {
        return i + 2 - offset;
      }
    }
    if (i < offset + n) {
      fp = (fp << 1) + g[data[i] & 0xff];
      if ((fp & mask) == 0) {
        return i + 1 - offset;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "FastCdcChunker[min="
        + minSize
        + ", avg="
        + avgSize
        + ", max="
        + maxSize
        + ", normalization="
        + normalization
        + "]";
  }
}
