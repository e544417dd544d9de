package io.dsblocks.storage.internal.delta;

import java.util.Arrays;

/**
 * Resemblance detection for near-duplicate chunks (N-transform super-features, as in Shilane et
 * al.'s WAN deduplication and Finesse): a 64-byte gear rolling hash runs over the chunk; at the
 * windows whose hash has its top 4 bits zero (one in 16, chosen by content), {@value #FEATURES}
 * linear transforms of the hash are taken, and each transform's maximum over the chunk is a
 * <em>feature</em>. A feature is a min-hash of the chunk's set of windows, so two chunks share it
 * with probability about their resemblance, wherever the shared content sits. Every {@value
 * #PER_SUPER} consecutive features hash to one <em>super-feature</em>; near-copies share most
 * super-features, unrelated chunks almost never one. Cost: one shift and add per byte, plus the
 * transforms at sampled windows.
 *
 * <p>The index maps each super-feature to the id of the last chunk seen with it, in {@value #SUPER}
 * direct-mapped tables of fixed size (newer entries overwrite colliding older ones), so memory is
 * bounded whatever the repository size: {@code 3 x slots x 40} bytes. It is only a hint: the caller
 * checks that a candidate still exists before using it as a base.
 *
 * <p>Thread-safe (one lock; lookups and inserts are a few array accesses).
 */
public final class SketchIndex {

  static final int FEATURES = 12;
  static final int PER_SUPER = 2;
  static final int SUPER = FEATURES / PER_SUPER;

  /** Chunks shorter than this get no sketch: too few bytes to tell resemblance apart. */
  public static final int MIN_LENGTH = 256;

  private static final long[] GEAR = mix(0x5DEECE66DL, 256);
  private static final long[] MULTIPLIERS = odd(mix(0x2545F4914F6CDD1DL, FEATURES));
  private static final long[] ADDENDS = mix(0x61C8864680B583EBL, FEATURES);

  private final int mask;
  private final long[][] keys = new long[SUPER][];
  private final byte[][] ids = new byte[SUPER][];

  /**
   * Creates an index.
   *
   * @param slotsLog2 log2 of the slots per table, in {@code [4, 24]}
   */
  public SketchIndex(int slotsLog2) {
    if (slotsLog2 < 4 || slotsLog2 > 24) {
      throw new IllegalArgumentException("slotsLog2 must be in [4, 24] but was " + slotsLog2);
    }
    int slots = 1 << slotsLog2;
    this.mask = slots - 1;
    for (int t = 0; t < SUPER; t++) {
      keys[t] = new long[slots];
      ids[t] = new byte[slots * 32];
    }
  }

  private static long[] odd(long[] v) {
    for (int i = 0; i < v.length; i++) {
      v[i] |= 1;
    }
    return v;
  }

  private static long[] mix(long seed, int n) {
    // Features stay in memory, so fixed tables leak nothing; SplitMix64 from a constant.
    long[] g = new long[n];
    long x = seed;
    for (int i = 0; i < n; i++) {
      x += 0x9E3779B97F4A7C15L;
      long z = x;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      g[i] = z ^ (z >>> 31);
    }
    return g;
  }

  /**
   * Computes the super-features of a chunk.
   *
   * @param data buffer
   * @param off start
   * @param len length, at least {@link #MIN_LENGTH}
   * @return {@value #SUPER} super-features, never 0
   */
  public static long[] sketch(byte[] data, int off, int len) {
    long[] features = new long[FEATURES];
    java.util.Arrays.fill(features, Long.MIN_VALUE);
    long h = 0;
    int end = off + len;
    for (int p = off; p < end; p++) {
      h = (h << 1) + GEAR[data[p] & 0xff];
      // Content-defined sampling: only windows whose hash has 4 zero top bits (1 in 16) feed the
      // features, so the per-feature transforms cost a sixteenth of a pass.
      if ((h >>> 60) == 0) {
        for (int f = 0; f < FEATURES; f++) {
          long v = h * MULTIPLIERS[f] + ADDENDS[f];
          if (v > features[f]) {
            features[f] = v;
          }
        }
      }
    }
    long[] sf = new long[SUPER];
    for (int s = 0; s < SUPER; s++) {
      long x = 0x243F6A8885A308D3L;
      for (int k = 0; k < PER_SUPER; k++) {
        x = (x ^ features[s * PER_SUPER + k]) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
      }
      sf[s] = x == 0 ? 1 : x;
    }
    return sf;
  }

  /**
   * Finds the chunk sharing the most super-features with a sketch.
   *
   * @param sketch from {@link #sketch}
   * @return a candidate base id, or {@code null}
   */
  public synchronized byte[] find(long[] sketch) {
    byte[] best = null;
    int bestVotes = 0;
    byte[][] found = new byte[SUPER][];
    for (int t = 0; t < SUPER; t++) {
      int slot = slot(sketch[t]);
      if (keys[t][slot] == sketch[t]) {
        found[t] = Arrays.copyOfRange(ids[t], slot * 32, slot * 32 + 32);
      }
    }
    for (int t = 0; t < SUPER; t++) {
      if (found[t] == null) {
        continue;
      }
      int votes = 0;
      for (int u = 0; u < SUPER; u++) {
        if (found[u] != null && Arrays.equals(found[t], found[u])) {
          votes++;
        }
      }
      if (votes > bestVotes) {
        best = found[t];
        bestVotes = votes;
      }
    }
    return best;
  }

  /**
   * Records a chunk as a possible base.
   *
   * @param sketch its super-features
   * @param id its 32-byte id
   */
  public synchronized void add(long[] sketch, byte[] id) {
    for (int t = 0; t < SUPER; t++) {
      int slot = slot(sketch[t]);
      keys[t][slot] = sketch[t];
      System.arraycopy(id, 0, ids[t], slot * 32, 32);
    }
  }

  private int slot(long sf) {
    return (int) (sf ^ (sf >>> 32)) & mask;
  }
}
