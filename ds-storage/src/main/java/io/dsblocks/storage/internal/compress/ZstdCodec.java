package io.dsblocks.storage.internal.compress;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdDictTrainer;
import com.github.luben.zstd.ZstdException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only class that touches zstd-jni, an optional dependency: nothing loads it unless a zstd
 * compressor is built or a zstd chunk is read, and {@link Compressors} checks that zstd-jni is
 * present before either.
 *
 * <p>Frames are written magicless, without checksum, content size or dictionary id: the chunk
 * header already stores the raw length and dictionary id, and the sealer authenticates every byte,
 * so those fields would only cost 6-14 bytes per (small) chunk.
 *
 * <p>Thread-safe: contexts are per thread; digested dictionaries are immutable and shared.
 */
final class ZstdCodec {

  private static final int DECODE_DICTIONARY_CACHE_LIMIT = 64;
  private static final Map<Integer, ZstdDictDecompress> DECODE_DICTIONARIES =
      new ConcurrentHashMap<>();
  private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSORS =
      ThreadLocal.withInitial(() -> new ZstdDecompressCtx().setMagicless(true));
  // A separate context for dictionary chunks: a context keeps a loaded dictionary, and the plain
  // one must never decode with a stale one.
  private static final ThreadLocal<ZstdDecompressCtx> DICTIONARY_DECOMPRESSORS =
      ThreadLocal.withInitial(() -> new ZstdDecompressCtx().setMagicless(true));

  private final ThreadLocal<ZstdCompressCtx> compressors;

  /**
   * Creates a compressing codec.
   *
   * @param level zstd level
   * @param dictionary raw dictionary bytes, or {@code null}
   */
  ZstdCodec(int level, byte[] dictionary) {
    // Digest the dictionary once for this level; every thread's context then references it.
    ZstdDictCompress digested = dictionary == null ? null : new ZstdDictCompress(dictionary, level);
    this.compressors =
        ThreadLocal.withInitial(
            () -> {
              ZstdCompressCtx ctx = new ZstdCompressCtx();
              ctx.setLevel(level);
              ctx.setMagicless(true);
              ctx.setChecksum(false);
              ctx.setContentSize(false);
              ctx.setDictID(false);
              if (digested != null) {
                ctx.loadDict(digested);
              }
              return ctx;
            });
  }

  static int maxCompressedLength(int length) {
    return (int) Math.min(Integer.MAX_VALUE - 64, com.github.luben.zstd.Zstd.compressBound(length));
  }

  int compress(byte[] src, int off, int len, byte[] dst, int dstOff, int dstLen) {
    return compressors.get().compressByteArray(dst, dstOff, dstLen, src, off, len);
  }

  /**
   * Decodes exactly {@code rawLength} bytes or throws {@link IllegalStateException}.
   *
   * @param dictionary the dictionary, or {@code null}
   * @param dictionaryId its id (cache key)
   */
  static byte[] decompress(
      byte[] src, int off, int len, int rawLength, byte[] dictionary, int dictionaryId) {
    byte[] out = new byte[rawLength];
    int n;
    try {
      ZstdDecompressCtx ctx;
      if (dictionary == null) {
        ctx = DECOMPRESSORS.get();
      } else {
        ctx = DICTIONARY_DECOMPRESSORS.get();
        // References the digested dictionary (no copy), so doing it per chunk is cheap.
        ctx.loadDict(decodeDictionary(dictionary, dictionaryId));
      }
      n = ctx.decompressByteArray(out, 0, rawLength, src, off, len);
    } catch (ZstdException e) {
      throw new IllegalStateException("malformed zstd frame: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // zstd-jni reports some errors (e.g. output too small) as plain RuntimeException.
      throw new IllegalStateException("malformed zstd frame: " + e, e);
    }
    if (n != rawLength) {
      throw new IllegalStateException(
          "zstd frame decoded to " + n + " bytes, the header says " + rawLength);
    }
    return out;
  }

  private static ZstdDictDecompress decodeDictionary(byte[] dictionary, int id) {
    ZstdDictDecompress d = DECODE_DICTIONARIES.get(id);
    if (d == null) {
      if (DECODE_DICTIONARIES.size() >= DECODE_DICTIONARY_CACHE_LIMIT) {
        DECODE_DICTIONARIES.clear(); // bounded; repositories have a handful of dictionaries
      }
      d = new ZstdDictDecompress(dictionary);
      DECODE_DICTIONARIES.put(id, d);
    }
    return d;
  }

  static byte[] train(List<byte[]> samples, int dictSize) {
    long total = 0;
    for (byte[] s : samples) {
      total += s.length;
    }
    ZstdDictTrainer trainer =
        new ZstdDictTrainer((int) Math.min(Integer.MAX_VALUE, total), dictSize);
    for (byte[] s : samples) {
      trainer.addSample(s);
    }
    try {
      return trainer.trainSamples();
    } catch (ZstdException e) {
      throw new IllegalArgumentException(
          "zstd could not train a "
              + dictSize
              + "-byte dictionary from "
              + samples.size()
              + " samples totalling "
              + total
              + " bytes ("
              + e.getMessage()
              + "); give it more samples (hundreds, about 100x the dictionary size in total)",
          e);
    }
  }
}
