package io.dsblocks.storage;

/**
 * What one tier migration pass did ({@link TierMigrator#runOnce()}, {@link
 * ObjectStore#moveToTier}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param keys object keys evaluated
 * @param versionsReassigned object versions whose tier assignment changed
 * @param chunksMoved chunks rewritten into another tier
 * @param bytesRead stored bytes of the moved chunks in their old tier
 * @param bytesWritten stored bytes of the moved chunks in their new tier
 */
public record TierMigrationResult(
    long keys, long versionsReassigned, long chunksMoved, long bytesRead, long bytesWritten) {}
