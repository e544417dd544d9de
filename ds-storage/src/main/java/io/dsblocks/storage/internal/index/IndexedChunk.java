package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.internal.Bytes;

/**
 * A chunk id with its location: one entry of a pack trailer or of the {@code pack_entries} column
 * family.
 *
 * @param id the chunk id (32 bytes; not copied, callers do not modify it)
 * @param location where its record is
 */
public record IndexedChunk(byte[] id, ChunkLocation location) {

  /** Encoded size of a {@code pack_entries} value: id, length, raw length. */
  public static final int ENTRY_VALUE_LENGTH = 40;

  /**
   * Returns the {@code pack_entries} key of a record.
   *
   * @param packId pack
   * @param offset record offset
   * @return 16 bytes, sorting by pack then offset
   */
  public static byte[] entryKey(long packId, long offset) {
    byte[] k = new byte[16];
    Bytes.putLong(k, 0, packId);
    Bytes.putLong(k, 8, offset);
    return k;
  }

  /**
   * Encodes the {@code pack_entries} value.
   *
   * @return 40 bytes
   */
  public byte[] entryValue() {
    byte[] v = new byte[ENTRY_VALUE_LENGTH];
    System.arraycopy(id, 0, v, 0, 32);
    Bytes.putInt(v, 32, location.length());
    Bytes.putInt(v, 36, location.rawLength());
    return v;
  }

  /**
   * Decodes a {@code pack_entries} row.
   *
   * @param key the 16-byte key
   * @param value the 40-byte value
   * @return the entry
   */
  public static IndexedChunk fromEntry(byte[] key, byte[] value) {
    byte[] id = new byte[32];
    System.arraycopy(value, 0, id, 0, 32);
    return new IndexedChunk(
        id,
        new ChunkLocation(
            Bytes.getLong(key, 0),
            Bytes.getLong(key, 8),
            Bytes.getInt(value, 32),
            Bytes.getInt(value, 36)));
  }
}
