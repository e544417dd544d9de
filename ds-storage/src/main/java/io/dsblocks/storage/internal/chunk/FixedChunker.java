package io.dsblocks.storage.internal.chunk;

/**
 * Cuts a stream into equal-sized chunks (the last one may be shorter). Used by the block API, where
 * a block's position, not its content, decides its chunk, so a write at an offset touches exactly
 * the chunks that overlap it.
 *
 * <p>Immutable and thread-safe.
 */
public final class FixedChunker implements Chunker {

  /** Same upper bound as {@link FastCdcChunker}, so pack and buffer sizing has one limit. */
  public static final int MAX_SIZE = FastCdcChunker.MAX_SIZE_LIMIT;

  private final int size;

  /**
   * Creates a chunker.
   *
   * @param size chunk length in bytes, in {@code [1, 64 MiB]}
   * @throws IllegalArgumentException if {@code size} is out of range
   */
  public FixedChunker(int size) {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException(
          "size must be in [1, " + MAX_SIZE + "] (64 MiB) but was " + size);
    }
    this.size = size;
  }

  @Override
  public int minSize() {
    return size;
  }

  @Override
  public int maxSize() {
    return size;
  }

  @Override
  public int cut(byte[] data, int offset, int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("length must be > 0 but was " + length);
    }
    return Math.min(length, size);
  }

  @Override
  public String toString() {
    return "FixedChunker[size=" + size + "]";
  }
}
