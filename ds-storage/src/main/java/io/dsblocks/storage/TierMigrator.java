package io.dsblocks.storage;

/**
 * Moves chunks between tiers ({@link ObjectStore#tierMigrator()}).
 *
 * <p>A pass flushes the recorded reads, decides each object's tier (its pin from {@link
 * ObjectStore#moveToTier}, else the {@link TierPolicy} applied to its age), gives every chunk the
 * hottest tier of the versions that reference it, and rewrites the chunks that are in the wrong
 * tier with the target tier's compression. Each group of moved chunks is committed atomically after
 * the new copies are durable; the old copies stay readable until garbage collection reclaims them,
 * so reads running meanwhile see correct data. One pass (or garbage collection, verify or scrub)
 * runs at a time; reads, puts and deletes go on.
 *
 * <p>With {@link StorageConfig.Builder#tierMigrationInterval} set, the store runs a pass in the
 * background at that interval; {@link #runOnce()} runs one now, on the calling thread.
 *
 * <p>Thread-safe.
 */
public interface TierMigrator {
  /**
   * Runs one migration pass now and returns when it is done.
   *
   * @return what the pass did
   * @throws StorageException if reading or writing fails; chunks committed before the failure stay
   *     moved, the rest stay where they were
   */
  TierMigrationResult runOnce();
}
