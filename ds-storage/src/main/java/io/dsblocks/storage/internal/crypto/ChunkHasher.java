package io.dsblocks.storage.internal.crypto;

/**
 * Computes a chunk id: a keyed hash of the chunk's plaintext under a per-repository key, so equal
 * content dedups within one repository but ids reveal nothing to someone without the key.
 * Implementations are thread-safe.
 */
public interface ChunkHasher {

  /** Length of every id in bytes. */
  int ID_LENGTH = 32;

  /**
   * Hashes a range.
   *
   * @param data the buffer
   * @param offset start of the chunk
   * @param length chunk length
   * @return a new array of {@link #ID_LENGTH} bytes
   */
  byte[] id(byte[] data, int offset, int length);
}
