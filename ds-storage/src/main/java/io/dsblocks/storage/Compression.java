package io.dsblocks.storage;

/**
 * How new chunks are compressed. Each stored chunk names its codec, so a repository can mix
 * settings over time and any setting can read everything; a chunk that does not get smaller is
 * stored raw whatever the setting.
 *
 * <p>Immutable and thread-safe.
 */
public final class Compression {

  /** The codec family. */
  public enum Codec {
    /** No compression. */
    NONE,
    /** LZ4: fast enough for hot data (about 0.6 GB/s compress, 3.7 GB/s decompress per core). */
    LZ4,
    /** Zstandard at a level: smaller output for cold and archival data, slower to write. */
    ZSTD
  }

  /** Smallest zstd level accepted. */
  public static final int MIN_ZSTD_LEVEL = 1;

  /** Largest zstd level accepted. */
  public static final int MAX_ZSTD_LEVEL = 22;

  private static final Compression NONE = new Compression(Codec.NONE, 0);
  private static final Compression LZ4 = new Compression(Codec.LZ4, 0);

  private final Codec codec;
  private final int level;

  private Compression(Codec codec, int level) {
    this.codec = codec;
    this.level = level;
  }

  /**
   * Returns "store chunks as they are".
   *
   * @return the no-compression setting
   */
  public static Compression none() {
    return NONE;
  }

  /**
   * Returns LZ4, the default.
   *
   * @return the LZ4 setting
   */
  public static Compression lz4() {
    return LZ4;
  }

  /**
   * Returns zstd at a level. Needs {@code com.github.luben:zstd-jni} on the class path (an optional
   * dependency of ds-storage).
   *
   * @param level compression level in {@code [1, 22]}; 3 is zstd's usual default
   * @return the zstd setting
   * @throws IllegalArgumentException if {@code level} is out of range
   */
  public static Compression zstd(int level) {
    if (level < MIN_ZSTD_LEVEL || level > MAX_ZSTD_LEVEL) {
      throw new IllegalArgumentException(
          "zstd level must be in ["
              + MIN_ZSTD_LEVEL
              + ", "
              + MAX_ZSTD_LEVEL
              + "] but was "
              + level);
    }
    return new Compression(Codec.ZSTD, level);
  }

  /**
   * Returns the codec family.
   *
   * @return the codec
   */
  public Codec codec() {
    return codec;
  }

  /**
   * Returns the zstd level, or 0 for other codecs.
   *
   * @return the level
   */
  public int level() {
    return level;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Compression c && c.codec == codec && c.level == level;
  }

  @Override
  public int hashCode() {
    return codec.hashCode() * 31 + level;
  }

  @Override
  public String toString() {
    return codec == Codec.ZSTD
        ? "zstd(" + level + ")"
        : codec.name().toLowerCase(java.util.Locale.ROOT);
  }
}
