package io.dsblocks.storage.internal.pack;

import io.dsblocks.storage.internal.Bytes;
import io.dsblocks.storage.internal.index.RepositoryDb;

/**
 * The {@code packs} column family: a pack id maps to "sealed at this length" once its trailer is
 * durable. Packs with no entry (or a different length on disk) are checked by open-time recovery.
 * The entry is written without sync: losing it only makes recovery re-check a pack that was fine.
 */
public final class PackState {
  private PackState() {}

  private static final byte SEALED = 1;

  /**
   * Records a pack as sealed.
   *
   * @param db the database
   * @param packId the pack
   * @param length its final size
   */
  public static void markSealed(RepositoryDb db, long packId, long length) {
    byte[] v = new byte[9];
    v[0] = SEALED;
    Bytes.putLong(v, 1, length);
    db.put(db.packs, Bytes.longBytes(packId), v, false);
  }

  /**
   * Returns the recorded sealed length of a pack.
   *
   * @param db the database
   * @param packId the pack
   * @return the length, or -1 if the pack is not recorded as sealed
   */
  public static long sealedLength(RepositoryDb db, long packId) {
    byte[] v = db.get(db.packs, Bytes.longBytes(packId));
    return v == null || v.length != 9 || v[0] != SEALED ? -1 : Bytes.getLong(v, 1);
  }

  /**
   * Forgets a pack (after its file was removed).
   *
   * @param db the database
   * @param packId the pack
   */
  public static void forget(RepositoryDb db, long packId) {
    db.delete(db.packs, Bytes.longBytes(packId), false);
  }
}
