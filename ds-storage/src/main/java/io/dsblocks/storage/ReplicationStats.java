package io.dsblocks.storage;

/**
 * A snapshot of a store's replication state ({@link ObjectStore#replicationStats()}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param mode the replication mode
 * @param replicationFactor copies wanted per pack, the local one included
 * @param nodes storage nodes configured
 * @param underReplicatedPacks sealed, referenced packs known to have fewer than {@code
 *     replicationFactor} copies (waiting for, or retrying, the background copier); the pack still
 *     being written is not counted until it is sealed
 * @param underReplicatedBytes their total size
 * @param copiedPacks pack copies written to nodes since open
 * @param copiedBytes bytes written to nodes since open
 * @param failedCopies copy attempts that failed since open
 * @param repairedCopies damaged or missing copies (local or on a node) repaired since open
 */
public record ReplicationStats(
    ReplicationMode mode,
    int replicationFactor,
    int nodes,
    long underReplicatedPacks,
    long underReplicatedBytes,
    long copiedPacks,
    long copiedBytes,
    long failedCopies,
    long repairedCopies) {}
