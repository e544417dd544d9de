package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.internal.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Hands out unique, increasing ids (versions, packs, chunk lists) that are never reused, even after
 * a crash, at the cost of one synced write per block of ids.
 *
 * <p>How: a "reserved up to" mark is persisted with a synced write <em>before</em> any id under it
 * is handed out. After a restart counting resumes above the mark, skipping ids that were reserved
 * but never used. Persisting the mark inside each commit batch instead would not be safe: two
 * commits can land in either order, so the last-written mark could be lower than an id already
 * committed.
 *
 * <p>Thread-safe.
 */
public final class IdAllocator {
  private final RepositoryDb db;
  private final byte[] key;
  private final long block;
  private long next;
  private long reservedUpTo;

  /**
   * Loads an allocator.
   *
   * @param db the database
   * @param name the reservation key in the meta column family
   * @param block how many ids one synced write reserves
   */
  public IdAllocator(RepositoryDb db, String name, long block) {
    this.db = db;
    this.key = ("id." + name).getBytes(StandardCharsets.US_ASCII);
    this.block = block;
    byte[] stored = db.get(db.meta, key);
    this.reservedUpTo = stored == null ? 0 : Bytes.getLong(stored, 0);
    this.next = reservedUpTo + 1;
  }

  /**
   * Returns the next id.
   *
   * @return an id greater than every id returned before, in this and earlier runs
   */
  public synchronized long next() {
    if (next > reservedUpTo) {
      long mark = next + block - 1;
      db.put(db.meta, key, Bytes.longBytes(mark), true);
      reservedUpTo = mark;
    }
    return next++;
  }

  /**
   * Returns an upper bound of every id handed out so far, in this and earlier runs.
   *
   * @return the last id returned by {@link #next()}, or the reservation mark after a restart
   */
  public synchronized long lastIssued() {
    return next - 1;
  }
}
