package io.dsblocks.storage.internal.chunk;

/**
 * Splits a byte stream into chunks. Implementations are immutable and thread-safe.
 *
 * <p>Protocol: the caller keeps a buffer, and at each step passes the bytes it has from the start
 * of the next chunk. It passes at least {@link #maxSize()} bytes unless the stream ends sooner.
 */
public interface Chunker {

  /** Smallest chunk length, except for the last chunk of a stream. */
  int minSize();

  /** Largest chunk length. */
  int maxSize();

  /**
   * Returns the length of the chunk that starts at {@code offset}.
   *
   * @param data the buffer
   * @param offset where the chunk starts
   * @param length bytes available from {@code offset}: at least {@link #maxSize()}, or everything
   *     left in the stream
   * @return the chunk length, in {@code [1, min(length, maxSize())]}; equal to {@code length} when
   *     fewer than {@link #minSize()} bytes are left
   */
  int cut(byte[] data, int offset, int length);
}
