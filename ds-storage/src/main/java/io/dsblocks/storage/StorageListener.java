package io.dsblocks.storage;

/**
 * Receives what happens inside a repository, for metrics, logs and tests. Every method has an empty
 * default, so implement only what you need.
 *
 * <p>Register a listener with {@link StorageConfig.Builder#listener}. Without one, the store uses a
 * no-op listener and builds no event arguments (nothing is allocated for events on the data path).
 * Methods are called synchronously on the thread where the event happens (the calling thread, an
 * ingest worker, or the thread opening the store), so they must be fast and thread-safe and must
 * not call back into the store. An exception thrown by a listener is caught and ignored.
 */
public interface StorageListener {

  /** A listener that ignores everything. */
  StorageListener NOOP = new StorageListener() {};

  /**
   * An object version (or delete marker) was durably committed.
   *
   * @param info the committed version
   * @param newChunks chunks this put stored that were not in the repository before
   * @param dedupedChunks chunk references that were already stored and cost no new space
   */
  default void onCommit(ObjectInfo info, long newChunks, long dedupedChunks) {}

  /**
   * A pack file reached its target size (or the store closed) and was sealed with its trailer.
   *
   * @param pack the pack's file name
   * @param bytes its final size
   * @param chunks chunk records in it
   */
  default void onPackSealed(String pack, long bytes, int chunks) {}

  /**
   * Open-time recovery repaired a pack left unsealed by a crash: it cut off bytes no commit
   * references and wrote a fresh trailer, or removed the pack because nothing in it was committed.
   *
   * @param pack the pack's file name
   * @param keptBytes size of the pack after recovery (0 if it was removed)
   * @param droppedBytes bytes cut off or removed
   */
  default void onPackRecovered(String pack, long keptBytes, long droppedBytes) {}

  /**
   * A pack was found damaged (truncated, missing, or failing a checksum) at open, during {@link
   * ObjectStore#verify()} or during {@link ObjectStore#rebuildIndex()}. Damaged packs are left
   * untouched so that they can be examined or repaired from a replica.
   *
   * @param pack the pack's file name
   * @param reason what is wrong
   */
  default void onPackDamaged(String pack, String reason) {}

  /**
   * A read found corrupt data; the same exception is then thrown to the reader.
   *
   * @param error names the pack, the offset and the object
   */
  default void onCorruption(StorageCorruptionException error) {}

  /**
   * A damaged or missing pack copy was rewritten from a healthy replica (by a read that fell back
   * to a replica, by {@link ObjectStore#scrub(long)}, or at open).
   *
   * @param pack the pack's file name
   * @param location {@code "local"} or the id of the node whose copy was repaired
   * @param source {@code "local"} or the id of the node the good copy came from
   * @param reason what was wrong with the repaired copy
   */
  default void onPackRepaired(String pack, String location, String source, String reason) {}

  /**
   * A tier migration is about to rewrite a group of chunks from one tier into another (one group
   * per source and target tier per committed batch of a pass).
   *
   * @param from the tier the chunks are in
   * @param to the tier they move to
   * @param chunks chunks in the group
   * @param bytes their stored bytes in the source tier
   */
  default void onTierMigrationStarted(Tier from, Tier to, int chunks, long bytes) {}

  /**
   * A group of chunks was rewritten and the index now points at the new copies (committed). The old
   * copies are reclaimed by garbage collection.
   *
   * @param from the tier the chunks were in
   * @param to the tier they are in now
   * @param chunks chunks moved
   * @param bytesRead their stored bytes in the source tier
   * @param bytesWritten their stored bytes in the target tier (after its compression)
   */
  default void onTierMigrationFinished(
      Tier from, Tier to, int chunks, long bytesRead, long bytesWritten) {}

  /**
   * Moving a group of chunks failed; they stay where they were (nothing of the group was committed)
   * and a later pass tries again.
   *
   * @param from the tier the chunks are in
   * @param to the tier they were moving to
   * @param chunks chunks in the group
   * @param error what went wrong
   */
  default void onTierMigrationFailed(Tier from, Tier to, int chunks, RuntimeException error) {}
}
