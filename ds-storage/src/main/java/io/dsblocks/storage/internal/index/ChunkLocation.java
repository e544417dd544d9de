package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.internal.Bytes;

/**
 * Where a chunk record lives: pack, byte offset of the record (its header), record length (header
 * plus sealed bytes) and the chunk's plaintext length.
 *
 * @param packId the pack
 * @param offset start of the record in the pack file
 * @param length record length in bytes
 * @param rawLength plaintext chunk length
 */
public record ChunkLocation(long packId, long offset, int length, int rawLength) {

  /** Encoded size: pack id, offset, length, raw length. */
  public static final int ENCODED_LENGTH = 24;

  /**
   * Returns the offset just past the record.
   *
   * @return offset plus length
   */
  public long end() {
    return offset + length;
  }

  /**
   * Encodes as the dedup index's value.
   *
   * @return 24 bytes
   */
  public byte[] encode() {
    byte[] b = new byte[ENCODED_LENGTH];
    Bytes.putLong(b, 0, packId);
    Bytes.putLong(b, 8, offset);
    Bytes.putInt(b, 16, length);
    Bytes.putInt(b, 20, rawLength);
    return b;
  }

  /**
   * Decodes {@link #encode()}'s output.
   *
   * @param b 24 bytes
   * @return the location
   * @throws IllegalArgumentException if the length is wrong
   */
  public static ChunkLocation decode(byte[] b) {
    if (b.length != ENCODED_LENGTH) {
      throw new IllegalArgumentException("index value must be 24 bytes but was " + b.length);
    }
    return new ChunkLocation(
        Bytes.getLong(b, 0), Bytes.getLong(b, 8), Bytes.getInt(b, 16), Bytes.getInt(b, 20));
  }
}
