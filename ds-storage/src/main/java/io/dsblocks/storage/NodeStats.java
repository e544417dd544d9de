package io.dsblocks.storage;

/**
 * What one storage node holds, part of {@link ReplicationStats#perNode()}: the pack copies the
 * store wrote to, restored on or deleted from the node, starting from what the open-time scan found
 * there. Maintained incrementally; nothing is scanned when stats are read.
 *
 * <p>A node holds whole packs, so its stored bytes are its pack bytes; the logical bytes, dedup and
 * compression ratios of that data are those of the tiers the packs belong to ({@link
 * StorageStats#tiers()}), because placement is by pack name and spreads every tier evenly.
 *
 * <p>Immutable and thread-safe.
 *
 * @param nodeId the node's id
 * @param packs pack copies the node holds
 * @param packBytes their total size
 */
public record NodeStats(String nodeId, long packs, long packBytes) {}
