package io.dsblocks.storage.internal.compress;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * Factories for {@link ChunkCompressor}s: LZ4 for hot data, zstd (optionally with a trained
 * dictionary) for cold and archival data, and none.
 *
 * <p><b>Encoded format</b>, shared by every codec so any compressor decodes any chunk:
 *
 * <pre>
 * 1 byte    codec: 0 raw, 1 LZ4 block, 2 zstd frame, 3 zstd frame with dictionary,
 *           5 LZ4 block with dictionary (4 is the store's delta form, never produced here)
 * 1-5 bytes raw length, unsigned LEB128 varint
 * 4 bytes   dictionary id, big-endian (codecs 3 and 5; see {@link #dictionaryId(byte[])})
 * n bytes   payload: the raw bytes, an LZ4 block, or a magicless zstd frame
 * </pre>
 *
 * <p>An LZ4 block with a dictionary (codec 5) is a standard LZ4 block whose match offsets may reach
 * back before the start of the output into the last 64 KiB of the dictionary, as with {@code
 * LZ4_loadDict} (see {@code Lz4DictCodec}). Reading codec 5 needs no optional dependency.
 *
 * <p>A chunk is stored raw (codec 0) unless compressing saves at least 1/32 of it: already
 * compressed or encrypted content costs a decompression on every read and saves nothing.
 *
 * <p><b>zstd is optional.</b> zstd-jni ({@code com.github.luben:zstd-jni}) is an optional
 * dependency so users of the hot tier do not carry its native library. Without it, the zstd
 * factories throw {@link IllegalStateException} and reading a zstd chunk throws {@link
 * io.dsblocks.storage.StorageException}, both saying which dependency to add.
 *
 * <p>Every compressor returned here is immutable and thread-safe.
 */
public final class Compressors {

  static final String ZSTD_ADVICE =
      "Add the optional dependency com.github.luben:zstd-jni to the application's classpath";

  /** zstd levels accepted: the standard ones (negative "fast" levels are not exposed). */
  public static final int MAX_ZSTD_LEVEL = 22;

  private static final int MIN_DICTIONARY_SIZE = 8;
  private static final int MAX_DICTIONARY_SIZE = 16 << 20;

  private static final ChunkCompressor NONE =
      new CodecCompressor(CodecCompressor.RAW, "none", null, null, 0, DictionaryResolver.none());
  private static final ChunkCompressor LZ4 =
      new CodecCompressor(CodecCompressor.LZ4, "lz4", null, null, 0, DictionaryResolver.none());

  private Compressors() {}

  /** Lazily probes zstd-jni once; the holder class defers the probe until zstd is first needed. */
  private static final class ZstdProbe {
    static final String PROBLEM = probe();

    private static String probe() {
      try {
        // Initializing Zstd also loads its native library, which may fail on its own.
        Class.forName("com.github.luben.zstd.Zstd", true, Compressors.class.getClassLoader());
        return null;
      } catch (ClassNotFoundException e) {
        return "zstd-jni (com.github.luben:zstd-jni) is not on the classpath";
      } catch (LinkageError e) {
        return "zstd-jni is present but could not load its native library (" + e + ")";
      }
    }
  }

  /** Why zstd cannot be used, or {@code null} if it can. */
  static String zstdProblem() {
    return ZstdProbe.PROBLEM;
  }

  /**
   * Tells whether zstd-jni is on the classpath and its native library loads.
   *
   * @return {@code true} if the zstd factories work
   */
  public static boolean zstdAvailable() {
    return zstdProblem() == null;
  }

  private static void requireZstd() {
    String problem = zstdProblem();
    if (problem != null) {
      throw new IllegalStateException(
          "zstd compression is unavailable: " + problem + ". " + ZSTD_ADVICE);
    }
  }

  /**
   * Stores every chunk raw (still decodes compressed chunks).
   *
   * @return the compressor
   */
  public static ChunkCompressor none() {
    return NONE;
  }

  /**
   * LZ4 (fast mode): the hot-tier default, about 0.6 GB/s compressing and 3.7 GB/s decompressing
   * per core.
   *
   * @return the compressor
   */
  public static ChunkCompressor lz4() {
    return LZ4;
  }

  /**
   * LZ4 with a dictionary (codec 5): a small chunk's matches may reach into the last 64 KiB of the
   * dictionary, which is what makes a few KiB of source code compress like a whole archive. Pure
   * Java; chunks record the dictionary's id, and other compressors decode them through a {@link
   * DictionaryResolver}.
   *
   * @param dictionary any bytes likely to recur in chunks (a dictionary from {@link
   *     #trainZstdDictionary} works well: its content sits at its end), 8 bytes to 16 MiB (copied)
   * @return the compressor
   * @throws IllegalArgumentException if the dictionary size is out of range
   */
  public static ChunkCompressor lz4(byte[] dictionary) {
    byte[] copy = checkDictionary(dictionary);
    int id = dictionaryId(copy);
    return new CodecCompressor(
        CodecCompressor.LZ4_DICTIONARY,
        String.format("lz4-dict-%08x", id),
        null,
        copy,
        id,
        DictionaryResolver.none());
  }

  private static byte[] checkDictionary(byte[] dictionary) {
    Objects.requireNonNull(dictionary, "dictionary");
    if (dictionary.length < MIN_DICTIONARY_SIZE || dictionary.length > MAX_DICTIONARY_SIZE) {
      throw new IllegalArgumentException(
          "dictionary must be "
              + MIN_DICTIONARY_SIZE
              + " to "
              + MAX_DICTIONARY_SIZE
              + " bytes but was "
              + dictionary.length);
    }
    return dictionary.clone();
  }

  /**
   * zstd at a level.
   *
   * @param level compression level in {@code [1, 22]}
   * @return the compressor
   * @throws IllegalArgumentException if the level is out of range
   * @throws IllegalStateException if zstd-jni is missing
   */
  public static ChunkCompressor zstd(int level) {
    checkLevel(level);
    requireZstd();
    return new CodecCompressor(
        CodecCompressor.ZSTD,
        "zstd-" + level,
        new ZstdCodec(level, null),
        null,
        0,
        DictionaryResolver.none());
  }

  /**
   * zstd at a level with a dictionary, which is what makes small chunks (a few KiB of source code,
   * say) compress nearly as well as a whole archive. Chunks record the dictionary's id; this
   * compressor decodes its own, others need a {@link DictionaryResolver}.
   *
   * @param level compression level in {@code [1, 22]}
   * @param dictionary a dictionary from {@link #trainZstdDictionary} (or any raw content), 8 bytes
   *     to 16 MiB (copied)
   * @return the compressor
   * @throws IllegalArgumentException if the level or dictionary size is out of range
   * @throws IllegalStateException if zstd-jni is missing
   */
  public static ChunkCompressor zstd(int level, byte[] dictionary) {
    checkLevel(level);
    byte[] copy = checkDictionary(dictionary);
    requireZstd();
    int id = dictionaryId(copy);
    return new CodecCompressor(
        CodecCompressor.ZSTD_DICTIONARY,
        String.format("zstd-%d-dict-%08x", level, id),
        new ZstdCodec(level, copy),
        copy,
        id,
        DictionaryResolver.none());
  }

  /**
   * Returns a compressor that compresses like {@code compressor} and, when decoding a chunk made
   * with a dictionary it does not hold itself, asks {@code resolver} for it.
   *
   * @param compressor a compressor from this class
   * @param resolver finds dictionaries by id
   * @return the combined compressor
   * @throws IllegalArgumentException if {@code compressor} was not made by this class
   */
  public static ChunkCompressor withDictionaries(
      ChunkCompressor compressor, DictionaryResolver resolver) {
    Objects.requireNonNull(resolver, "resolver");
    if (!(compressor instanceof CodecCompressor)) {
      throw new IllegalArgumentException(
          "compressor must come from Compressors but was " + compressor);
    }
    return ((CodecCompressor) compressor).withResolver(resolver);
  }

  /**
   * The id recorded in chunks compressed with a dictionary: the first four bytes of its SHA-256, so
   * it is derived from content (the same dictionary always has the same id, and a resolver can be
   * rebuilt from the dictionaries alone).
   *
   * @param dictionary the dictionary bytes
   * @return its id
   */
  public static int dictionaryId(byte[] dictionary) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(dictionary);
      return ByteBuffer.wrap(h).getInt();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /**
   * Trains a zstd dictionary from sample chunks (zstd's COVER trainer via zstd-jni).
   *
   * @param samples representative chunks, typically hundreds, totalling about 100 times {@code
   *     dictSize}
   * @param dictSize dictionary size in bytes, in {@code [256, 16 MiB]}; 64-112 KiB is typical
   * @return the dictionary
   * @throws IllegalArgumentException if the arguments are out of range or zstd cannot train from
   *     these samples (too few or too small)
   * @throws IllegalStateException if zstd-jni is missing
   */
  public static byte[] trainZstdDictionary(List<byte[]> samples, int dictSize) {
    Objects.requireNonNull(samples, "samples");
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("samples must not be empty");
    }
    if (dictSize < 256 || dictSize > MAX_DICTIONARY_SIZE) {
      throw new IllegalArgumentException(
          "dictSize must be in [256, " + MAX_DICTIONARY_SIZE + "] but was " + dictSize);
    }
    requireZstd();
    return ZstdCodec.train(samples, dictSize);
  }

  private static void checkLevel(int level) {
    if (level < 1 || level > MAX_ZSTD_LEVEL) {
      throw new IllegalArgumentException(
          "level must be in [1, " + MAX_ZSTD_LEVEL + "] but was " + level);
    }
  }
}
