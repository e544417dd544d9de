package io.dsblocks.storage.internal.delta;

import io.dsblocks.storage.internal.TaggedTable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A copy/insert delta of a chunk against a similar base chunk: the encoder finds long runs of the
 * target that occur anywhere in the base (an 8-byte hash of every {@value #STRIDE}th base position,
 * probed at every target position, then extended forward and backward), and writes the rest as
 * literals. The program is then compressed by the store's codec (LZ4 or zstd), which squeezes the
 * literals; for a near-copy of a source file the program is a few copies and a few short literals.
 *
 * <p>Indexing every {@value #STRIDE}th base position still finds every match of at least {@code 8 +
 * STRIDE - 1} bytes (some target position inside it lines up with an indexed base position, and
 * backward extension recovers the start), which covers {@link #MIN_MATCH}, for a quarter of the
 * table work; the table also overwrites fewer live entries.
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

  /** Base positions indexed: every STRIDE-th; must stay at most {@code MIN_MATCH - 7}. */
  static final int STRIDE = 4;

  private static final int HASH_BITS = 15;

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** One match table per thread: slot = generation (high 32 bits) | base position (low 32). */
  private static final ThreadLocal<TaggedTable> TABLES =
      ThreadLocal.withInitial(() -> new TaggedTable(1 << HASH_BITS));

  private DeltaCodec() {}

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
    return encode(base, target, off, len, Integer.MAX_VALUE);
  }

  /**
   * Encodes {@code target[off, off + len)} against {@code base}, giving up as soon as the program
   * is known to exceed {@code limit} bytes (most candidate bases that share a feature or two with
   * the target turn out too different; stopping at the limit saves the rest of the scan).
   *
   * @param base the base chunk's plaintext
   * @param target buffer holding the chunk
   * @param off start
   * @param len length
   * @param limit the largest program wanted
   * @return the delta program, or {@code null} if it would be longer than {@code limit}
   */
  public static byte[] encode(byte[] base, byte[] target, int off, int len, int limit) {
    // A fresh 128 KiB table per call was a fifth of ingest CPU (allocation + zeroing). Each thread
    // reuses one table whose slots carry the generation that wrote them: a slot from an earlier
    // call reads as empty without clearing the table.
    TaggedTable t = TABLES.get();
    long gen = t.next();
    long[] table = t.slots;
    long tag = gen << 32;
    for (int p = 0; p + 8 <= base.length; p += STRIDE) {
      table[hash(base, p)] = tag | p;
    }
    Out out = new Out(Math.min(len / 8 + 64, len + 16));
    int lit = 0; // start of pending literals, relative to off
    int literals = 0; // literal bytes already written
    int i = 0;
    int end = len - 8;
    while (i <= end) {
      long slot = table[hash(target, off + i)];
      if ((slot >>> 32) == gen) {
        int cand = (int) slot;
        long word = (long) LONG.get(target, off + i);
        if ((long) LONG.get(base, cand) == word) {
          int maxF = Math.min(len - i, base.length - cand);
          int mm =
              Arrays.mismatch(base, cand + 8, cand + maxF, target, off + i + 8, off + i + maxF);
          int f = mm < 0 ? maxF : 8 + mm;
          int b = 0;
          while (i - b > lit && cand - b > 0 && base[cand - b - 1] == target[off + i - b - 1]) {
            b++;
          }
          int mlen = f + b;
          if (mlen >= MIN_MATCH) {
            int l = i - b - lit;
            literals += l;
            if (literals > limit) {
              return null;
            }
            out.varint(l);
            out.bytes(target, off + lit, l);
            out.varint(mlen);
            out.varint(cand - b);
            i += f;
            lit = i;
            continue;
          }
        }
      }
      i++;
      if (literals + (i - lit) > limit) {
        return null; // the literals alone already exceed the limit
      }
    }
    out.varint(len - lit);
    out.bytes(target, off + lit, len - lit);
    out.varint(0);
    return out.n > limit ? null : out.toArray();
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

  private static int hash(byte[] d, int p) {
    long v = (long) LONG.get(d, p);
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
