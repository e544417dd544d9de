package io.dsblocks.storage.internal.delta;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resemblance detection for near-duplicate chunks (super-features, as in Shilane et al.'s WAN
 * deduplication and Finesse, with one-permutation min-hashing): a 64-byte gear rolling hash runs
 * over the chunk; the windows whose hash has its top 6 bits zero (one in 64, chosen by content) are
 * sampled, each sampled hash is mixed, its top bits pick one of {@value #FEATURES} bins, and each
 * bin keeps the largest mixed value: that maximum is a <em>feature</em>, a min-hash of the chunk's
 * sampled windows in that bin, so two chunks share it with probability about their resemblance,
 * wherever the shared content sits. Bins no window fell into (small chunks) borrow from the next
 * non-empty bin. Every {@value #PER_SUPER} consecutive features hash to one <em>super-feature</em>;
 * near-copies share most super-features, unrelated chunks almost never one. Cost: one shift and add
 * per byte, plus a multiply and compare per sampled window (one transform per window instead of one
 * per feature: the same expected resemblance per feature for a twelfth of the work).
 *
 * <p>The index maps each super-feature to the last chunk seen with it, in {@value #SUPER}
 * direct-mapped tables of fixed size (newer entries overwrite colliding older ones). A slot is 8
 * bytes (a 32-bit check of the super-feature and the chunk's sequence number); the 32-byte ids live
 * once per chunk in a ring of the most recent chunks, so a slot whose chunk left the ring is
 * recognized as stale. Memory is bounded whatever the repository size: for {@code slotsLog2 = s},
 * {@code 3 x 2^(s+2) x 8 + 2^(s+1) x 36} bytes (s = 15: 6.3 MiB of tables, 2.4 MiB of ring). It is
 * only a hint: the caller checks that a candidate still exists before using it as a base.
 *
 * <p>{@link #export} and {@link #restore} carry the content from one open of a store to the next
 * (with {@code StorageConfig.persistDeltaSketches} the store keeps it sealed in its index), so a
 * backup run in a new process still finds the near duplicates of the previous run's chunks.
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
  private static final long MIX = 0x2545F4914F6CDD1DL;

  /**
   * A window is sampled when its hash has these (top 6) bits zero: 1 in 64. The test is a branch
   * taken at random, so each sampled window costs a mispredicted branch; sampling 1 in 16 made the
   * sketch twice as slow as the rolling hash for no better deltas (measured on the JDK source
   * trees: the same near-duplicates found, reduction unchanged).
   */
  private static final long SAMPLE_MASK = 0xFC00_0000_0000_0000L;

  /** A bin no sampled window fell into. */
  private static final long EMPTY = Long.MIN_VALUE;

  private final int mask;
  private final int shift;
  private final long[][] tables = new long[SUPER][];
  private final int ringMask;
  private final byte[] ringIds;
  private final int[] ringSeqs;
  private int next = 1; // sequence numbers start at 1: a zero slot is empty
  private long additions; // since creation or the last restore

  /** First word of an exported state ("SKX1"). */
  private static final int STATE_MAGIC = 0x534b5831;

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

  private static long[] mix(long seed, int n) {
    // SplitMix64 from a constant. Features are content-derived: they reach the disk only inside the
    // sealed (encrypted, authenticated) state the store keeps at close, never in the clear.
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
    Arrays.fill(features, EMPTY);
    if (!sample(data, off, len, SAMPLE_MASK, features)) {
      // No window of this (small or repetitive) chunk was sampled: use every window, or all such
      // chunks would share one all-empty sketch and be offered to each other as bases.
      sample(data, off, len, 0, features);
    }
    densify(features);
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
   * Feeds the windows whose hash has the {@code mask} bits zero to the bins; false if none.
   *
   * <p>The rolling hash shifts by one bit per byte, so its value at a position depends only on the
   * 64 bytes ending there. That lets the chunk be hashed as two halves in one loop: the second half
   * starts {@link #WARMUP} bytes early without sampling them, and then sees exactly the values the
   * sequential loop would. The two chains are independent, so the CPU can overlap them (JMH
   * similarity-sketch: 1306 against 1182 MiB/s for one chain); the result is the same as {@link
   * #sampleSequential}, which a test checks.
   */
  static boolean sample(byte[] data, int off, int len, long mask, long[] features) {
    int half = len >>> 1;
    if (half < 2 * WARMUP) {
      return sampleSequential(data, off, len, mask, features);
    }
    int mid = off + half;
    long hb = 0;
    for (int p = mid - WARMUP; p < mid; p++) {
      hb = (hb << 1) + GEAR[data[p] & 0xff];
    }
    long ha = 0;
    boolean any = false;
    int n = half; // the second half is half or half + 1 bytes long
    for (int k = 0; k < n; k++) {
      ha = (ha << 1) + GEAR[data[off + k] & 0xff];
      hb = (hb << 1) + GEAR[data[mid + k] & 0xff];
      if ((ha & mask) == 0) {
        any = true;
        feed(ha, features);
      }
      if ((hb & mask) == 0) {
        any = true;
        feed(hb, features);
      }
    }
    for (int p = mid + n; p < off + len; p++) {
      hb = (hb << 1) + GEAR[data[p] & 0xff];
      if ((hb & mask) == 0) {
        any = true;
        feed(hb, features);
      }
    }
    return any;
  }

  /** Bytes that determine the rolling hash (64-bit value, one bit of shift per byte). */
  static final int WARMUP = 64;

  /** The plain one-chain loop {@link #sample} is equivalent to (and uses for short chunks). */
  static boolean sampleSequential(byte[] data, int off, int len, long mask, long[] features) {
    boolean any = false;
    long h = 0;
    int end = off + len;
    for (int p = off; p < end; p++) {
      h = (h << 1) + GEAR[data[p] & 0xff];
      if ((h & mask) == 0) {
        any = true;
        feed(h, features);
      }
    }
    return any;
  }

  private static void feed(long h, long[] features) {
    // One permutation for all features: the mixed hash picks its bin by its top bits.
    long x = (h ^ (h >>> 31)) * MIX;
    int bin = (int) (((x >>> 32) * FEATURES) >>> 32);
    if (x > features[bin]) {
      features[bin] = x;
    }
  }

  /**
   * Fills bins no sampled window fell into (small chunks) from the next non-empty bin, mixed with
   * the distance, so two chunks agree on an empty bin only if they agree on the bin it borrows from
   * (otherwise unrelated small chunks would all share their empty bins).
   */
  private static void densify(long[] features) {
    long[] sampled = features.clone(); // borrow only sampled values, never borrowed ones
    for (int j = 0; j < FEATURES; j++) {
      if (features[j] != EMPTY) {
        continue;
      }
      for (int d = 1; d < FEATURES; d++) {
        long v = sampled[(j + d) % FEATURES];
        if (v != EMPTY) {
          long z = (v + d * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
          features[j] = z ^ (z >>> 31);
          break;
        }
      }
    }
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
      if (!live(seq) || (int) (e >>> 32) != check(sketch[t])) {
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
    additions++;
    System.arraycopy(id, 0, ringIds, (seq & ringMask) * 32, 32);
    ringSeqs[seq & ringMask] = seq;
    for (int t = 0; t < SUPER; t++) {
      tables[t][slot(sketch[t])] = (long) check(sketch[t]) << 32 | (seq & 0xffffffffL);
    }
  }

  /** Chunks added since this index was created or last restored. */
  public synchronized long additions() {
    return additions;
  }

  /**
   * The index's content, for {@link #restore} in a later open. Only live entries are written (slots
   * whose chunk left the ring are dropped): the size parameter, the next sequence number, the
   * ring's chunks (sequence number, id), then each table's live slots (position, entry).
   * Big-endian.
   *
   * @return the state
   */
  public synchronized byte[] export() {
    int ring = ringMask + 1;
    int liveChunks = 0;
    for (int r = 0; r < ring; r++) {
      if (ringSeqs[r] != 0) {
        liveChunks++;
      }
    }
    int[] liveSlots = new int[SUPER];
    int totalSlots = 0;
    for (int t = 0; t < SUPER; t++) {
      for (long e : tables[t]) {
        if (live((int) e)) {
          liveSlots[t]++;
        }
      }
      totalSlots += liveSlots[t];
    }
    ByteBuffer b = ByteBuffer.allocate(16 + liveChunks * 36 + SUPER * 4 + totalSlots * 12);
    b.putInt(STATE_MAGIC).putInt(slotsLog2()).putInt(next).putInt(liveChunks);
    for (int r = 0; r < ring; r++) {
      if (ringSeqs[r] != 0) {
        b.putInt(ringSeqs[r]).put(ringIds, r * 32, 32);
      }
    }
    for (int t = 0; t < SUPER; t++) {
      long[] table = tables[t];
      b.putInt(liveSlots[t]);
      for (int i = 0; i < table.length; i++) {
        if (live((int) table[i])) {
          b.putInt(i).putLong(table[i]);
        }
      }
    }
    return b.array();
  }

  /**
   * Replaces the content with a state from {@link #export}. A state from an index of another size,
   * or one that is malformed or inconsistent (it is checked entry by entry), is refused and leaves
   * this index empty: the index is only a hint, so losing it costs compression, never data.
   *
   * @param state an exported state
   * @return true if it was restored
   */
  public synchronized boolean restore(byte[] state) {
    clear();
    try {
      ByteBuffer b = ByteBuffer.wrap(state);
      if (b.getInt() != STATE_MAGIC || b.getInt() != slotsLog2()) {
        return false;
      }
      int nextSeq = b.getInt();
      int liveChunks = b.getInt();
      int ring = ringMask + 1;
      if (nextSeq == 0 || liveChunks < 0 || liveChunks > ring) {
        return restoreFailed();
      }
      for (int k = 0; k < liveChunks; k++) {
        int seq = b.getInt();
        int age = nextSeq - seq; // wrapping: sequence numbers count up modulo 2^32
        int r = seq & ringMask;
        if (seq == 0 || age <= 0 || age > ring || ringSeqs[r] != 0) {
          return restoreFailed();
        }
        ringSeqs[r] = seq;
        b.get(ringIds, r * 32, 32);
      }
      for (long[] table : tables) {
        int count = b.getInt();
        if (count < 0 || count > table.length) {
          return restoreFailed();
        }
        for (int k = 0; k < count; k++) {
          int i = b.getInt();
          long e = b.getLong();
          if (i < 0 || i >= table.length || !live((int) e)) {
            return restoreFailed();
          }
          table[i] = e;
        }
      }
      if (b.hasRemaining()) {
        return restoreFailed();
      }
      next = nextSeq;
      return true;
    } catch (BufferUnderflowException e) {
      return restoreFailed();
    }
  }

  private boolean restoreFailed() {
    clear();
    return false;
  }

  private void clear() {
    for (long[] table : tables) {
      Arrays.fill(table, 0L);
    }
    Arrays.fill(ringSeqs, 0);
    Arrays.fill(ringIds, (byte) 0);
    next = 1;
    additions = 0;
  }

  /** Whether a sequence number names a chunk still in the ring. */
  private boolean live(int seq) {
    return seq != 0 && ringSeqs[seq & ringMask] == seq;
  }

  private int slotsLog2() {
    return Integer.numberOfTrailingZeros(mask + 1) - 2;
  }

  private int slot(long sf) {
    return (int) (sf >>> shift) & mask;
  }

  private static int check(long sf) {
    return (int) sf;
  }
}
