package io.dsblocks.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A versioned key/value store for objects of any size over a deduplicated, compressed and encrypted
 * repository. Open one with {@link ObjectStores}.
 *
 * <p><b>Writes.</b> {@link #put} streams its input through content-defined chunking; each chunk is
 * identified by a keyed hash, and only chunks the repository does not already hold are compressed,
 * encrypted and appended to a pack file. {@code put} returns once the new version is durable: the
 * pack bytes are fsynced before the index and catalog entries that reference them are written in
 * one synced, atomic index write. A crash at any moment therefore either keeps the whole version or
 * none of it, and never loses a version whose {@code put} returned.
 *
 * <p><b>Versions.</b> Every {@code put} adds a version with a repository-wide unique, increasing
 * id. {@link #delete} adds a <em>delete marker</em> version: the key disappears from {@link
 * #get(String)}, {@link #stat} and {@link #list}, while older versions stay readable through {@link
 * #get(String, long)} and {@link #versions} until garbage collection removes them. Nothing is
 * physically freed by {@code delete}.
 *
 * <p><b>Reads.</b> Streams returned by {@code get} decrypt and verify each chunk as it is reached,
 * reading a few chunks ahead in parallel. Corrupt or tampered data is never returned as data: the
 * read throws {@link StorageCorruptionException} (unchecked, even from {@code InputStream.read})
 * naming the pack, the offset and the object. A stream sees the version it was opened on even if
 * newer versions are committed meanwhile; it must be used before the store is closed.
 *
 * <p><b>Keys.</b> A key is a non-empty string of at most {@link #MAX_KEY_BYTES} bytes in UTF-8,
 * without NUL characters or unpaired surrogates. Keys are listed in the order of their UTF-8 bytes.
 * Key names are stored unencrypted in the index so that prefix listing stays an ordered scan;
 * sizes, metadata, chunk lists and contents are encrypted.
 *
 * <p>Thread-safe: any number of threads may call any method concurrently. One repository directory
 * can be open in one store at a time; a second open, from this or another process, fails with
 * {@link RepositoryLockedException}.
 */
public interface ObjectStore extends AutoCloseable {

  /** Longest key accepted, in UTF-8 bytes. */
  int MAX_KEY_BYTES = 1024;

  /** Largest total size of one version's metadata (keys plus values, in UTF-8 bytes). */
  int MAX_METADATA_BYTES = 64 << 10;

  /**
   * Stores a new version of an object, reading {@code data} to its end (the stream is not closed).
   *
   * @param key the key
   * @param data the content, of any length
   * @param metadata user metadata stored with the version (encrypted); keys must be non-empty
   * @return the committed version
   * @throws IllegalArgumentException if the key or metadata is invalid
   * @throws NullPointerException if an argument is null
   * @throws StorageException if reading {@code data} or writing the repository fails; nothing of
   *     this version is then visible
   */
  ObjectInfo put(String key, InputStream data, Map<String, String> metadata);

  /**
   * Stores a new version of an object without metadata.
   *
   * @param key the key
   * @param data the content, of any length
   * @return the committed version
   * @throws IllegalArgumentException if the key is invalid
   * @throws StorageException if reading {@code data} or writing the repository fails
   */
  default ObjectInfo put(String key, InputStream data) {
    return put(key, data, Map.of());
  }

  /**
   * Starts a batch: puts that are ingested at once but committed together by {@link Batch#commit()}
   * with one fsync per pack touched and one synced index write, instead of two fsyncs per object.
   * Use it to store many small objects (a directory tree, say): on a disk where an fsync takes 5
   * ms, single puts from one thread cannot exceed about 100 objects per second, a batch is bounded
   * only by ingest speed. The batch's objects become visible atomically at commit; a crash before
   * the commit keeps none of them.
   *
   * @return a new, empty batch; close it (with try-with-resources) to discard it if it is not
   *     committed
   */
  Batch batch();

  /**
   * Opens the newest version of an object for reading.
   *
   * @param key the key
   * @return a stream of the content; close it when done
   * @throws ObjectNotFoundException if the key does not exist or is deleted
   */
  InputStream get(String key);

  /**
   * Opens a particular version of an object for reading.
   *
   * @param key the key
   * @param versionId a version id from {@link #versions} or {@link #put}
   * @return a stream of the content; close it when done
   * @throws ObjectNotFoundException if there is no such version or it is a delete marker
   */
  InputStream get(String key, long versionId);

  /**
   * Opens part of the newest version of an object. Only the chunks overlapping the range are read.
   *
   * @param key the key
   * @param offset first byte, in {@code [0, size]}
   * @param length bytes wanted, {@code >= 0}; a range running past the end is cut at the end
   * @return a stream of the range
   * @throws ObjectNotFoundException if the key does not exist or is deleted
   * @throws IllegalArgumentException if {@code offset} is negative or beyond the size, or {@code
   *     length} is negative
   */
  InputStream getRange(String key, long offset, long length);

  /**
   * Lists the newest version of every live (not deleted) object whose key starts with a prefix, in
   * key order. The whole result is held in memory; use {@link #list(String, String, int)} to page
   * through large listings.
   *
   * @param prefix the key prefix; empty lists everything
   * @return the objects
   */
  List<ObjectInfo> list(String prefix);

  /**
   * Lists one page of live objects whose key starts with a prefix, in key order.
   *
   * @param prefix the key prefix; empty lists everything
   * @param startAfter only keys greater than this are returned; empty starts at the beginning. Pass
   *     the last key of the previous page to get the next one.
   * @param limit the most objects to return, {@code >= 1}
   * @return up to {@code limit} objects
   * @throws IllegalArgumentException if {@code limit < 1}
   */
  List<ObjectInfo> list(String prefix, String startAfter, int limit);

  /**
   * Deletes an object by adding a delete marker version (see the class documentation). Earlier
   * versions stay readable by id.
   *
   * @param key the key
   * @return true if the key existed and was live, false if it did not exist or was already deleted
   */
  boolean delete(String key);

  /**
   * Returns every version of a key, newest first, delete markers included.
   *
   * @param key the key
   * @return the versions; empty if the key never existed
   */
  List<ObjectInfo> versions(String key);

  /**
   * Describes the newest version of a live object.
   *
   * @param key the key
   * @return the version, or empty if the key does not exist or is deleted
   */
  Optional<ObjectInfo> stat(String key);

  /**
   * Returns a snapshot of space accounting and dedup-index counters.
   *
   * @return the stats
   */
  StorageStats stats();

  /**
   * Reads back every committed chunk, checking its checksum and authentication tag, checks every
   * sealed pack's trailer, and maps damage to the object versions it affects. Runs concurrently
   * with reads and writes; it reads the whole repository, so it takes about as long as a restore.
   *
   * @return what was checked and what is damaged
   */
  VerificationReport verify();

  /**
   * Rebuilds the dedup index (chunk id to pack location) from the pack files' own trailers alone,
   * discarding the current index. Writes are blocked while it runs. Damaged packs are skipped and
   * reported to the listener.
   *
   * @return the number of chunk records indexed
   */
  long rebuildIndex();

  /**
   * Returns the repository directory.
   *
   * @return the directory this store was opened on
   */
  Path directory();

  /**
   * Returns the repository's snapshots (point-in-time views, retention).
   *
   * @return the snapshots of this store
   * @throws UnsupportedOperationException if this implementation has none (the default)
   */
  default Snapshots snapshots() {
    throw new UnsupportedOperationException(getClass().getName() + " does not support snapshots");
  }

  /**
   * Runs one garbage-collection cycle: removes versions no one can see any more (see {@link
   * VersionRetention}), removes chunks no version or snapshot references, and repacks packs whose
   * dead fraction reaches the threshold. Safe while other threads put, delete and read: a chunk a
   * concurrent put deduplicated against is never removed. One cycle runs at a time.
   *
   * @param options what to keep and when to repack
   * @return what the cycle did
   * @throws UnsupportedOperationException if this implementation has no GC (the default)
   */
  default GcResult collectGarbage(GcOptions options) {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not support garbage collection");
  }

  /**
   * Runs one garbage-collection cycle with {@link GcOptions#defaults()}.
   *
   * @return what the cycle did
   */
  default GcResult collectGarbage() {
    return collectGarbage(GcOptions.defaults());
  }

  /**
   * A group of puts committed together (see {@link ObjectStore#batch()}). Each {@link #put} reads
   * and stores its data immediately (chunks are written to packs and deduplicated against
   * everything, including earlier puts of the same batch), but nothing is visible until {@link
   * #commit()}. If one put fails (its input throws, say), only that put is dropped; the batch stays
   * usable.
   *
   * <p>Not thread-safe: use a batch from one thread at a time. Different batches and plain puts may
   * run concurrently.
   */
  interface Batch extends AutoCloseable {

    /**
     * Ingests an object into the batch.
     *
     * @param key the key
     * @param data the content, read to its end (not closed)
     * @param metadata user metadata
     * @throws IllegalArgumentException if the key or metadata is invalid
     * @throws IllegalStateException if the batch was committed or closed
     * @throws StorageException if reading {@code data} or writing the repository fails
     */
    void put(String key, InputStream data, Map<String, String> metadata);

    /**
     * Ingests an object without metadata into the batch.
     *
     * @param key the key
     * @param data the content
     * @throws IllegalStateException if the batch was committed or closed
     */
    default void put(String key, InputStream data) {
      put(key, data, Map.of());
    }

    /**
     * Stages a delete of {@code key}, committed atomically with the batch's puts: after the commit
     * the key is deleted (a delete marker is its newest version, as with {@link
     * ObjectStore#delete}), and after a crash either every put and delete of the batch happened or
     * none did. Operations on one key apply in call order: a put after a delete of the same key in
     * one batch leaves the key live, a delete after a put leaves it deleted (the put's version
     * stays readable by id). A key that is not live when the batch commits, and not put earlier in
     * the batch, gets no marker. Nothing is read or locked until {@link #commit()}.
     *
     * <p>This is how layers built on the store (block devices, file stores) retire the objects a
     * commit makes unreachable without a crash window that leaks them, and without one synced index
     * write per deleted object.
     *
     * @param key the key
     * @throws IllegalArgumentException if the key is invalid
     * @throws IllegalStateException if the batch was committed or closed
     */
    void delete(String key);

    /**
     * Returns how many puts and deletes are waiting for the commit.
     *
     * @return staged puts and deletes
     */
    int size();

    /**
     * Makes every put and delete of the batch durable and visible at once, assigning version ids in
     * call order. The batch cannot be used afterwards.
     *
     * @return the committed versions of the puts, in put order (delete markers are not listed)
     * @throws IllegalStateException if the batch was already committed or closed
     * @throws StorageException if the commit fails; then none of the batch is visible
     */
    List<ObjectInfo> commit();

    /** Discards the batch if it was not committed (nothing becomes visible). Idempotent. */
    @Override
    void close();
  }

  /**
   * Closes the store: waits for puts in progress, seals the open pack, closes the index and
   * releases the repository lock. Idempotent. Streams still open fail on their next read.
   */
  @Override
  void close();

  /**
   * Reads every copy of every referenced pack (the local one and those on storage nodes), checks
   * headers, record checksums, authentication tags and trailers, rewrites damaged or missing copies
   * from a healthy one, and deletes node files nothing references. Reads are paced to {@code
   * rateLimitBytesPerSecond} so a scrub does not starve foreground I/O.
   *
   * @param rateLimitBytesPerSecond pacing of the reads, at least 1; {@link Long#MAX_VALUE} for none
   * @return what was found and repaired
   * @throws IllegalArgumentException if the rate is below 1
   * @throws UnsupportedOperationException if this implementation cannot scrub (the default)
   */
  default ScrubReport scrub(long rateLimitBytesPerSecond) {
    throw new UnsupportedOperationException("scrub is not supported by " + getClass().getName());
  }

  /**
   * Returns the replication state: factor, mode and the copy lag.
   *
   * @return a snapshot of the replication counters
   * @throws UnsupportedOperationException if this implementation has none (the default)
   */
  default ReplicationStats replicationStats() {
    throw new UnsupportedOperationException(
        "replicationStats is not supported by " + getClass().getName());
  }

  /**
   * Moves an object to a tier now and pins it there: every version of the key is assigned to the
   * tier and their chunks are rewritten into the tier's packs with its compression, except chunks
   * that other objects in a hotter tier also use (a chunk lives in the hottest tier that references
   * it). The age policy leaves pinned objects alone until {@link #clearTierPin}. Reads go on during
   * the move and return the same bytes before, during and after it.
   *
   * <p>Cost: one migration pass ({@link TierMigrator#runOnce()}), which reads every catalog row to
   * find the chunks' other users, plus the rewrite of the moved chunks.
   *
   * @param key the object's key
   * @param tier the target tier
   * @throws ObjectNotFoundException if the key has no live version
   * @throws UnsupportedOperationException if this implementation has no tiers (the default)
   */
  default void moveToTier(String key, Tier tier) {
    throw new UnsupportedOperationException("tiers are not supported by " + getClass().getName());
  }

  /**
   * Removes the pin {@link #moveToTier} set, so the age policy decides the object's tier again at
   * the next migration pass. Does nothing if the object is not pinned.
   *
   * @param key the object's key
   * @throws UnsupportedOperationException if this implementation has no tiers (the default)
   */
  default void clearTierPin(String key) {
    throw new UnsupportedOperationException("tiers are not supported by " + getClass().getName());
  }

  /**
   * Returns the tier an object's newest version is assigned to. New versions are {@link Tier#HOT}
   * until a migration pass assigns them.
   *
   * @param key the object's key
   * @return the tier, or empty if the key has no live version
   * @throws UnsupportedOperationException if this implementation has no tiers (the default)
   */
  default Optional<Tier> tierOf(String key) {
    throw new UnsupportedOperationException("tiers are not supported by " + getClass().getName());
  }

  /**
   * Returns the migrator that moves chunks between tiers; {@link TierMigrator#runOnce()} runs a
   * pass on the calling thread.
   *
   * @return the migrator
   * @throws UnsupportedOperationException if this implementation has no tiers (the default)
   */
  default TierMigrator tierMigrator() {
    throw new UnsupportedOperationException("tiers are not supported by " + getClass().getName());
  }
}
