package io.dsblocks.storage.internal.delta;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * <p>The index maps each super-feature to the last chunk seen with it, in {@value #SUPER}
 * direct-mapped tables of fixed size (newer entries overwrite colliding older ones). A slot is 8
 * bytes (a 32-bit check of the super-feature and the chunk's sequence number); the 32-byte ids live
 * once per chunk in a ring of the most recent chunks, so a slot whose chunk left the ring is
 * recognized as stale. Memory is bounded whatever the repository size: for {@code slotsLog2 = s},
 * {@code 3 x 2^(s+2) x 8 + 2^(s+1) x 36} bytes (s = 15: 6.3 MiB of tables, 2.4 MiB of ring). It is
 * only a hint: the caller checks that a candidate still exists before using it as a base.
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
  private final int shift;
  private final long[][] tables = new long[SUPER][];
  private final int ringMask;
  private final byte[] ringIds;
  private final int[] ringSeqs;
  private int next = 1; // sequence numbers start at 1: a zero slot is empty

  /**
   * Creates an index.
   *
   * @param slotsLog2 size parameter in {@code [4, 24]}: each table has {@code 2^(slotsLog2 + 2)}
   *     slots and the ring remembers the last {@code 2^(slotsLog2 + 1)} chunks
   */
  public SketchIndex(int slotsLog2) {
    if (slotsLog2 < 4 || slotsLog2 > 24) {
      throw new IllegalArgumentException("slotsLog2 must be in [4, 24] but was " + slotsLog2);
    }
    int bits = slotsLog2 + 2;
    int slots = 1 << bits;
    this.mask = slots - 1;
    this.shift = 64 - bits;
    for (int t = 0; t < SUPER; t++) {
      tables[t] = new long[slots];
    }
    int ring = 1 << (slotsLog2 + 1);
    this.ringMask = ring - 1;
    this.ringIds = new byte[ring * 32];
    this.ringSeqs = new int[ring];
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
  public byte[] find(long[] sketch) {
    List<byte[]> c = candidates(sketch, 1);
    return c.isEmpty() ? null : c.get(0);
  }

  /**
   * Finds the chunks sharing the most super-features with a sketch, best first (more shared
   * super-features, then more recent).
   *
   * @param sketch from {@link #sketch}
   * @param max how many to return at most, at least 1
   * @return up to {@code max} candidate base ids
   */
  public synchronized List<byte[]> candidates(long[] sketch, int max) {
    int[] seqs = new int[SUPER];
    int[] votes = new int[SUPER];
    int distinct = 0;
    for (int t = 0; t < SUPER; t++) {
      long e = tables[t][slot(sketch[t])];
      int seq = (int) e;
      if (seq == 0 || (int) (e >>> 32) != check(sketch[t]) || ringSeqs[seq & ringMask] != seq) {
        continue; // empty, another super-feature, or its chunk left the ring
      }
      int k = 0;
      while (k < distinct && seqs[k] != seq) {
        k++;
      }
      if (k == distinct) {
        seqs[distinct++] = seq;
      }
      votes[k]++;
    }
    List<byte[]> out = new ArrayList<>(Math.min(max, distinct));
    boolean[] taken = new boolean[distinct];
    while (out.size() < max) {
      int best = -1;
      for (int k = 0; k < distinct; k++) {
        if (!taken[k]
            && (best < 0
                || votes[k] > votes[best]
                || (votes[k] == votes[best] && seqs[k] - seqs[best] > 0))) {
          best = k;
        }
      }
      if (best < 0) {
        break;
      }
      taken[best] = true;
      int r = (seqs[best] & ringMask) * 32;
      out.add(Arrays.copyOfRange(ringIds, r, r + 32));
    }
    return out;
  }

  /**
   * Records a chunk as a possible base.
   *
   * @param sketch its super-features
   * @param id its 32-byte id
   */
  public synchronized void add(long[] sketch, byte[] id) {
    int seq = next++;
    if (next == 0) {
      next = 1; // after 2^32 chunks; stale slots then fail the ring check or point at a newer chunk
    }
    System.arraycopy(id, 0, ringIds, (seq & ringMask) * 32, 32);
    ringSeqs[seq & ringMask] = seq;
    for (int t = 0; t < SUPER; t++) {
      tables[t][slot(sketch[t])] = (long) check(sketch[t]) << 32 | (seq & 0xffffffffL);
    }
  }

  private int slot(long sf) {
    return (int) (sf >>> shift) & mask;
  }

  private static int check(long sf) {
    return (int) sf;
  }
}
