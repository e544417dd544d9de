package io.dsblocks.storage.internal.delta;

import java.util.Arrays;

/**
 * A copy/insert delta of a chunk against a similar base chunk: the encoder finds long runs of the
 * target that occur anywhere in the base (8-byte hash of every base position, then extend forward
 * and backward), and writes the rest as literals. The program is then compressed by the store's
 * codec (LZ4 or zstd), which squeezes the literals; for a near-copy of a source file the program is
 * a few copies and a few short literals.
 *
 * <p>Program format, repeated until the output has the target's length:
 *
 * <pre>
 * varint literal length L | L literal bytes | varint copy length C | (C &gt; 0) varint base offset
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class DeltaCodec {

  /** Shorter matches cost more as a copy than as literals the codec compresses anyway. */
  static final int MIN_MATCH = 12;

  private static final int HASH_BITS = 15;

  private static final ThreadLocal<Table> TABLES = ThreadLocal.withInitial(Table::new);

  private DeltaCodec() {}

  /** One thread's match table: slot = generation (high 32 bits) | base position (low 32). */
  private static final class Table {
    final long[] slots = new long[1 << HASH_BITS];
    long generation;

    /** Starts a new encode; clears the table only when the 32-bit generation wraps. */
    long next() {
      generation = (generation + 1) & 0xFFFF_FFFFL;
      if (generation == 0) {
        Arrays.fill(slots, 0L);
        generation = 1;
      }
      return generation;
    }
  }

  /**
   * Encodes {@code target[off, off + len)} against {@code base}.
   *
   * @param base the base chunk's plaintext
   * @param target buffer holding the chunk
   * @param off start
   * @param len length
   * @return the delta program
   */
  public static byte[] encode(byte[] base, byte[] target, int off, int len) {
    // A fresh 128 KiB table per call was a fifth of ingest CPU (allocation + zeroing). Each thread
    // reuses one table whose slots carry the generation that wrote them: a slot from an earlier
    // call reads as empty without clearing the table.
    Table t = TABLES.get();
    long gen = t.next();
    long[] table = t.slots;
    for (int p = 0; p + 8 <= base.length; p++) {
      table[hash(base, p)] = (gen << 32) | p;
    }
    Out out = new Out(len / 8 + 64);
    int lit = 0; // start of pending literals, relative to off
    int i = 0;
    int end = len - 8;
    while (i <= end) {
      long slot = table[hash(target, off + i)];
      int cand = (slot >>> 32) == gen ? (int) slot : -1;
      if (cand >= 0 && equal8(base, cand, target, off + i)) {
        int f = 8;
        while (i + f < len && cand + f < base.length && base[cand + f] == target[off + i + f]) {
          f++;
        }
        int b = 0;
        while (i - b > lit && cand - b > 0 && base[cand - b - 1] == target[off + i - b - 1]) {
          b++;
        }
        int mlen = f + b;
        if (mlen >= MIN_MATCH) {
          out.varint(i - b - lit);
          out.bytes(target, off + lit, i - b - lit);
          out.varint(mlen);
          out.varint(cand - b);
          i += f;
          lit = i;
          continue;
        }
      }
      i++;
    }
    out.varint(len - lit);
    out.bytes(target, off + lit, len - lit);
    out.varint(0);
    return out.toArray();
  }

  /**
   * Applies a program to its base.
   *
   * @param base the base plaintext
   * @param program the program from {@link #encode}
   * @param rawLength the target's length
   * @return the target
   * @throws IllegalStateException if the program is malformed or does not produce exactly {@code
   *     rawLength} bytes
   */
  public static byte[] decode(byte[] base, byte[] program, int rawLength) {
    byte[] out = new byte[rawLength];
    int o = 0;
    int[] pos = {0};
    while (true) {
      int l = varint(program, pos);
      if (l > rawLength - o || l > program.length - pos[0]) {
        throw new IllegalStateException(
            "delta literal of " + l + " bytes overruns the output or the program");
      }
      System.arraycopy(program, pos[0], out, o, l);
      pos[0] += l;
      o += l;
      int c = varint(program, pos);
      if (c == 0) {
        break;
      }
      int from = varint(program, pos);
      if (c > rawLength - o || from > base.length - c) {
        throw new IllegalStateException(
            "delta copy of " + c + " bytes from base offset " + from + " is out of bounds");
      }
      System.arraycopy(base, from, out, o, c);
      o += c;
    }
    if (o != rawLength || pos[0] != program.length) {
      throw new IllegalStateException(
          "delta produced "
              + o
              + " bytes (expected "
              + rawLength
              + ") and used "
              + pos[0]
              + " of "
              + program.length
              + " program bytes");
    }
    return out;
  }

  private static int varint(byte[] in, int[] pos) {
    int v = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (pos[0] >= in.length) {
        throw new IllegalStateException("delta program is truncated");
      }
      int b = in[pos[0]++];
      v |= (b & 0x7f) << shift;
      if (b >= 0) {
        if (v < 0) {
          throw new IllegalStateException("delta length field is negative");
        }
        return v;
      }
    }
    throw new IllegalStateException("delta length field is longer than 5 bytes");
  }

  private static boolean equal8(byte[] a, int ai, byte[] b, int bi) {
    return Arrays.equals(a, ai, ai + 8, b, bi, bi + 8);
  }

  private static int hash(byte[] d, int p) {
    long v =
        (d[p] & 0xffL)
            | (d[p + 1] & 0xffL) << 8
            | (d[p + 2] & 0xffL) << 16
            | (d[p + 3] & 0xffL) << 24
            | (d[p + 4] & 0xffL) << 32
            | (d[p + 5] & 0xffL) << 40
            | (d[p + 6] & 0xffL) << 48
            | (d[p + 7] & 0xffL) << 56;
    return (int) ((v * 0x9E3779B97F4A7C15L) >>> (64 - HASH_BITS));
  }

  /** A growable output buffer. */
  private static final class Out {
    byte[] buf;
    int n;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    void ensure(int more) {
      if (n + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(n + more, buf.length * 2));
      }
    }

    void varint(int v) {
      ensure(5);
      while ((v & ~0x7f) != 0) {
        buf[n++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[n++] = (byte) v;
    }

    void bytes(byte[] src, int off, int len) {
      ensure(len);
      System.arraycopy(src, off, buf, n, len);
      n += len;
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, n);
    }
  }
}
