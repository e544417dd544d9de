package io.dsblocks.storage.internal.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The LZ4 block format with a dictionary, written here because lz4-java has no dictionary API (its
 * decoder rejects offsets that reach before the start of the output).
 *
 * <p>The format is standard LZ4 (sequences of: token with 4-bit literal and match lengths, 255-run
 * length extensions, literals, 2-byte little-endian offset; the last sequence has literals only),
 * as produced by {@code LZ4_compress_fast_continue} after {@code LZ4_loadDict}: a match offset may
 * reach back past the start of the output into the last 64 KiB of the dictionary, as if the
 * dictionary preceded the data. So {@code lz4 -D dict} decodes these blocks too.
 *
 * <p>Why a dictionary: a chunk of a few KiB of source code compresses poorly on its own (LZ4 finds
 * no earlier occurrence of its license header, imports or common identifiers); with a dictionary
 * trained from the repository's own chunks those are matches.
 *
 * <p>Compressor: greedy single-probe hash matching like LZ4's fast mode, with a hash table of
 * dictionary positions primed once per dictionary and copied into a per-thread table at the start
 * of each call (the input's positions then overwrite slots), and the input appended after the
 * dictionary in a per-thread buffer, so a match never branches on "dictionary or input".
 * Decompressor: decodes into a per-thread window holding the dictionary followed by the output (so
 * a match is one copy within the window, wherever it starts); checks every length and offset
 * against the input, the output and the dictionary before copying, so malformed input raises {@link
 * IllegalStateException} and never reads or writes out of bounds.
 *
 * <p>Instances are immutable and thread-safe (scratch buffers are per thread).
 */
final class Lz4DictCodec {

  /** LZ4's window: offsets are 16-bit. */
  static final int WINDOW = 65535;

  private static final int MIN_MATCH = 4;

  /** The last match must start at least this many bytes before the end (LZ4 rule). */
  private static final int MF_LIMIT = 12;

  /** The last bytes of a block are always literals (LZ4 rule). */
  private static final int LAST_LITERALS = 5;

  private static final int HASH_LOG = 13;
  private static final int SKIP_TRIGGER = 6;

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] dict;
  private final int[] primed;
  private final ThreadLocal<Scratch> scratch;

  /** Per-thread decode window: the dictionary, then room for the output and {@link #SLACK}. */
  private final ThreadLocal<byte[]> window;

  /** Room after a decoded block for copies that run past its end 8 bytes at a time. */
  private static final int SLACK = 32;

  /**
   * Input left after a token for the decoder's fast path: 16 bytes of literal moves (at most 14 are
   * literals), then the 2-byte offset.
   */
  private static final int FAST_INPUT = 18;

  /**
   * Output left before a sequence for the decoder's fast path: up to 14 literals plus up to 18
   * match bytes (the match's 24-byte move ends at most 6 bytes past that, within {@link #SLACK}).
   */
  private static final int FAST_OUTPUT = 32;

  /**
   * Creates a codec for one dictionary.
   *
   * @param dictionary the dictionary; only its last {@link #WINDOW} bytes matter (not copied, must
   *     not change)
   */
  Lz4DictCodec(byte[] dictionary) {
    this.dict =
        dictionary.length > WINDOW
            ? Arrays.copyOfRange(dictionary, dictionary.length - WINDOW, dictionary.length)
            : dictionary;
    int[] table = new int[1 << HASH_LOG];
    // Later positions overwrite earlier ones: the nearest occurrence is the one most likely to
    // stay within the window.
    for (int p = 0; p + MIN_MATCH <= dict.length; p++) {
      table[hash(readInt(dict, p))] = p;
    }
    this.primed = table;
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(dict, primed.length));
    this.window =
        ThreadLocal.withInitial(() -> Arrays.copyOf(dict, dict.length + 16 * 1024 + SLACK));
  }

  /** Worst-case compressed size of {@code length} bytes (LZ4's bound). */
  static int maxCompressedLength(int length) {
    return length + length / 255 + 16;
  }

  /**
   * Per-thread buffer holding the dictionary followed by the input, and the hash table of a call:
   * each call starts from a copy of the primed table of dictionary positions and adds the input's
   * positions. The copy (32 KiB) costs less than the alternative it replaced, slots tagged with the
   * call that wrote them and a fallback to the primed table on every lookup of another call's slot
   * (Lz4DictionaryBenchmark compress, old and new alternating: 573-580 against 453-501 ops/s).
   */
  private static final class Scratch {
    byte[] buf;
    final int[] table;

    Scratch(byte[] dict, int tableSize) {
      buf = Arrays.copyOf(dict, dict.length + 64 * 1024);
      table = new int[tableSize];
    }
  }

  private static int readInt(byte[] b, int p) {
    return (int) INT.get(b, p);
  }

  private static int hash(int v) {
    return (v * -1640531535) >>> (32 - HASH_LOG);
  }

  /**
   * Compresses {@code src[off, off + len)} into {@code dst} at {@code dstOff}.
   *
   * <p>Bytes of {@code dst} after the result (up to 16, within {@code dst}) may be overwritten:
   * short literal runs are copied 16 bytes at a time.
   *
   * @param dstLen room in {@code dst}, at least {@link #maxCompressedLength}{@code (len)}
   * @return the number of bytes written
   */
  int compress(byte[] src, int off, int len, byte[] dst, int dstOff, int dstLen) {
    if (dstLen < maxCompressedLength(len)) {
      throw new IllegalArgumentException("dstLen " + dstLen + " is below the bound");
    }
    Scratch s = scratch.get();
    int base = dict.length;
    if (s.buf.length < base + len) {
      byte[] grown = Arrays.copyOf(s.buf, base + len);
      s.buf = grown;
    }
    byte[] buf = s.buf;
    System.arraycopy(src, off, buf, base, len);
    int[] table = s.table;
    System.arraycopy(primed, 0, table, 0, table.length);
    int end = base + len;
    int op = dstOff;
    int anchor = base;
    if (len >= MF_LIMIT + 1) {
      int mfLimit = end - MF_LIMIT;
      int matchLimit = end - LAST_LITERALS;
      int ip = base;
      table[hash(readInt(buf, ip))] = ip;
      ip++;
      outer:
      while (true) {
        int ref;
        int forward = ip;
        int searches = 1 << SKIP_TRIGGER;
        // Find a match, skipping faster through incompressible stretches (LZ4's acceleration).
        while (true) {
          ip = forward;
          int step = searches++ >>> SKIP_TRIGGER;
          forward += step;
          if (forward > mfLimit) {
            break outer;
          }
          int seq = readInt(buf, ip);
          int h = hash(seq);
          ref = table[h];
          table[h] = ip;
          if (ip - ref <= WINDOW && readInt(buf, ref) == seq) {
            break;
          }
        }
        // Extend backwards over pending literals.
        while (ip > anchor && ref > 0 && buf[ip - 1] == buf[ref - 1]) {
          ip--;
          ref--;
        }
        while (true) {
          int matchExtra = matchLength(buf, ip + MIN_MATCH, ref + MIN_MATCH, matchLimit);
          op = writeSequence(buf, anchor, ip - anchor, ip - ref, matchExtra, dst, op);
          ip += MIN_MATCH + matchExtra;
          anchor = ip;
          if (ip > mfLimit) {
            break outer;
          }
          table[hash(readInt(buf, ip - 2))] = ip - 2;
          // Try an immediate match at the next position (common in repetitive text).
          int seq = readInt(buf, ip);
          int h = hash(seq);
          ref = table[h];
          table[h] = ip;
          if (ip - ref <= WINDOW && readInt(buf, ref) == seq) {
            continue;
          }
          ip++;
          break;
        }
      }
    }
    // Last literals.
    int lit = end - anchor;
    op = writeLength(dst, op, lit, 0);
    System.arraycopy(buf, anchor, dst, op, lit);
    return op + lit - dstOff;
  }

  /**
   * How many bytes from {@code ip} equal those from {@code ref} (before {@code limit}): 8 bytes per
   * step. Most matches in source text are short, where this beats {@code Arrays.mismatch}'s setup.
   */
  private static int matchLength(byte[] buf, int ip, int ref, int limit) {
    int start = ip;
    while (ip <= limit - 8) {
      long diff = (long) LONG.get(buf, ip) ^ (long) LONG.get(buf, ref);
      if (diff != 0) {
        return ip - start + (Long.numberOfTrailingZeros(diff) >>> 3);
      }
      ip += 8;
      ref += 8;
    }
    while (ip < limit && buf[ip] == buf[ref]) {
      ip++;
      ref++;
    }
    return ip - start;
  }

  private static int writeSequence(
      byte[] buf, int litStart, int lit, int offset, int matchExtra, byte[] dst, int op) {
    op = writeLength(dst, op, lit, Math.min(matchExtra, 15));
    if (lit <= 16 && dst.length - op >= 16 && buf.length - litStart >= 16) {
      // Short runs dominate; two 8-byte moves beat arraycopy's setup. Bytes written past the run
      // are overwritten by what follows (and, at the end, lie in scratch space past the result).
      LONG.set(dst, op, (long) LONG.get(buf, litStart));
      LONG.set(dst, op + 8, (long) LONG.get(buf, litStart + 8));
    } else {
      System.arraycopy(buf, litStart, dst, op, lit);
    }
    op += lit;
    dst[op++] = (byte) offset;
    dst[op++] = (byte) (offset >>> 8);
    if (matchExtra >= 15) {
      int rest = matchExtra - 15;
      while (rest >= 255) {
        dst[op++] = (byte) 255;
        rest -= 255;
      }
      dst[op++] = (byte) rest;
    }
    return op;
  }

  /** Writes the token (literal length nibble + match nibble) and the literal length extension. */
  private static int writeLength(byte[] dst, int op, int lit, int matchNibble) {
    if (lit >= 15) {
      dst[op++] = (byte) (0xf0 | matchNibble);
      int rest = lit - 15;
      while (rest >= 255) {
        dst[op++] = (byte) 255;
        rest -= 255;
      }
      dst[op++] = (byte) rest;
    } else {
      dst[op++] = (byte) (lit << 4 | matchNibble);
    }
    return op;
  }

  /**
   * Decodes a block into exactly {@code rawLength} bytes.
   *
   * @throws IllegalStateException if the block is malformed, reaches outside the dictionary or does
   *     not decode to exactly {@code rawLength} bytes
   */
  byte[] decompress(byte[] src, int off, int len, int rawLength) {
    byte[] w = window.get();
    if (w.length < dict.length + rawLength + SLACK) {
      w = Arrays.copyOf(w, dict.length + Math.max(rawLength, 2 * (w.length - dict.length)) + SLACK);
      window.set(w);
    }
    decodeInto(w, dict.length, src, off, len, rawLength);
    return Arrays.copyOfRange(w, dict.length, dict.length + rawLength);
  }

  /** Decodes with any dictionary (one this instance was not made for: a per-call window). */
  static byte[] decode(byte[] dict, byte[] src, int off, int len, int rawLength) {
    int d = Math.min(dict.length, WINDOW);
    byte[] w = new byte[d + rawLength + SLACK];
    System.arraycopy(dict, dict.length - d, w, 0, d);
    decodeInto(w, d, src, off, len, rawLength);
    return Arrays.copyOfRange(w, d, d + rawLength);
  }

  /**
   * Decodes into {@code w[base, base + rawLength)}, where {@code w[0, base)} holds the dictionary,
   * so a match is one copy within {@code w} wherever it starts. {@code w} has {@link #SLACK} bytes
   * after the output: short literal runs and matches are copied 8 bytes at a time without checking
   * for the end (what lands past the output is scratch).
   */
  private static void decodeInto(byte[] w, int base, byte[] src, int off, int len, int rawLength) {
    int ip = off;
    int end = off + len;
    int o = base;
    int oend = base + rawLength;
    while (true) {
      if (ip >= end) {
        throw malformed("it ends inside a sequence");
      }
      int token = src[ip++] & 0xff;
      int lit = token >>> 4;
      if (lit < 15 && (token & 15) < 15 && end - ip >= FAST_INPUT && oend - o >= FAST_OUTPUT) {
        // The common sequence (source text: a few literals, a short match) with room on both
        // sides, decoded with fixed-size moves and one check. The literals (at most 14) are
        // copied as 16 bytes, and the match (at most 18) as 24 bytes at offsets of 8 or more:
        // the input holds those 16 bytes and the offset, and the last byte written (at most 38
        // bytes after o, which is at least 32 before the output's end) lies in the window's
        // slack. Bytes copied past a run are overwritten by what follows, or stay in the slack.
        LONG.set(w, o, (long) LONG.get(src, ip));
        LONG.set(w, o + 8, (long) LONG.get(src, ip + 8));
        ip += lit;
        o += lit;
        int offset = (src[ip] & 0xff) | (src[ip + 1] & 0xff) << 8;
        ip += 2;
        int match = (token & 15) + MIN_MATCH;
        if (offset == 0 || offset > o) {
          throw badOffset(offset, o, base);
        }
        int from = o - offset;
        if (offset >= 8) {
          // Each move reads only bytes that are final: offset >= 8.
          LONG.set(w, o, (long) LONG.get(w, from));
          LONG.set(w, o + 8, (long) LONG.get(w, from + 8));
          LONG.set(w, o + 16, (long) LONG.get(w, from + 16));
        } else {
          for (int k = 0; k < match; k++) {
            w[o + k] = w[from + k];
          }
        }
        o += match;
        continue;
      }
      if (lit == 15) {
        int b;
        do {
          if (ip >= end) {
            throw malformed("a literal length is truncated");
          }
          b = src[ip++] & 0xff;
          lit += b;
          if (lit > rawLength) {
            throw malformed("a literal length exceeds the output");
          }
        } while (b == 255);
      }
      if (lit > end - ip || lit > oend - o) {
        throw malformed("a literal run of " + lit + " bytes overruns the input or the output");
      }
      if (lit <= 16 && src.length - ip >= 16) {
        // Short runs dominate; two 8-byte moves beat arraycopy's setup.
        LONG.set(w, o, (long) LONG.get(src, ip));
        LONG.set(w, o + 8, (long) LONG.get(src, ip + 8));
      } else {
        System.arraycopy(src, ip, w, o, lit);
      }
      ip += lit;
      o += lit;
      if (ip == end) {
        break; // the last sequence has no match
      }
      if (end - ip < 2) {
        throw malformed("a match offset is truncated");
      }
      int offset = (src[ip] & 0xff) | (src[ip + 1] & 0xff) << 8;
      ip += 2;
      int match = token & 15;
      if (match == 15) {
        int b;
        do {
          if (ip >= end) {
            throw malformed("a match length is truncated");
          }
          b = src[ip++] & 0xff;
          match += b;
          if (match > rawLength) {
            throw malformed("a match length exceeds the output");
          }
        } while (b == 255);
      }
      match += MIN_MATCH;
      if (match > oend - o) {
        throw malformed("a match of " + match + " bytes overruns the output");
      }
      if (offset == 0 || offset > o) {
        throw badOffset(offset, o, base);
      }
      int from = o - offset;
      if (offset >= 8 && match <= 32) {
        // 8-byte steps: each step reads bytes already final (offset >= 8).
        for (int k = 0; k < match; k += 8) {
          LONG.set(w, o + k, (long) LONG.get(w, from + k));
        }
      } else if (offset >= match) {
        System.arraycopy(w, from, w, o, match);
      } else {
        // Overlapping: the source repeats with period `offset`; copy in growing steps.
        int to = o;
        int stop = o + match;
        while (to < stop) {
          int step = Math.min(to - from, stop - to);
          System.arraycopy(w, from, w, to, step);
          to += step;
        }
      }
      o += match;
    }
    if (o != oend) {
      throw malformed("it decoded to " + (o - base) + " bytes, the header says " + rawLength);
    }
  }

  private static IllegalStateException badOffset(int offset, int o, int base) {
    return malformed(
        "a match offset of "
            + offset
            + " reaches before the dictionary ("
            + (o - base)
            + " output bytes, "
            + base
            + " dictionary bytes)");
  }

  private static IllegalStateException malformed(String why) {
    return new IllegalStateException("malformed LZ4 dictionary block: " + why);
  }
}
