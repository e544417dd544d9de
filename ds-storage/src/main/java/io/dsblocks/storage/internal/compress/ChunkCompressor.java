package io.dsblocks.storage.internal.compress;

import io.dsblocks.storage.StorageCorruptionException;

/**
 * Compresses one chunk. The encoded form is self-describing (its first byte names the codec, so
 * chunks written with different settings or stored raw because compression did not pay can be read
 * by any instance). Implementations are thread-safe.
 */
public interface ChunkCompressor {

  /**
   * Encodes a range, storing it raw when compression would not make it smaller.
   *
   * @param data buffer
   * @param offset start
   * @param length length
   * @return codec byte followed by the payload
   */
  byte[] compress(byte[] data, int offset, int length);

  /**
   * Decodes bytes produced by any {@link ChunkCompressor}.
   *
   * @param encoded buffer
   * @param offset start
   * @param length length
   * @return the original bytes
   * @throws StorageCorruptionException if the bytes are not a valid encoding
   */
  byte[] decompress(byte[] encoded, int offset, int length);
}
