package io.dsblocks.storage;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a store's replication state ({@link ObjectStore#replicationStats()}).
 *
 * <p>Immutable and thread-safe: the per-node map is an unmodifiable copy taken when the snapshot
 * was made, and later copies, repairs or deletions do not change it.
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
 * @param perNode space accounting and counters per storage node, by node id in configuration order
 *     (empty without nodes); the local copy in {@code packs/} is not a node, see {@link
 *     StorageStats}
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
    long repairedCopies,
    Map<String, NodeStats> perNode) {

  /**
   * Copies the per-node map so that the record stays immutable.
   *
   * @param mode see the record
   * @param replicationFactor see the record
   * @param nodes see the record
   * @param underReplicatedPacks see the record
   * @param underReplicatedBytes see the record
   * @param copiedPacks see the record
   * @param copiedBytes see the record
   * @param failedCopies see the record
   * @param repairedCopies see the record
   * @param perNode see the record
   */
  public ReplicationStats {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(perNode, "perNode");
    perNode = Collections.unmodifiableMap(new LinkedHashMap<>(perNode));
  }

  /**
   * Creates stats without a per-node breakdown.
   *
   * @param mode see the record
   * @param replicationFactor see the record
   * @param nodes see the record
   * @param underReplicatedPacks see the record
   * @param underReplicatedBytes see the record
   * @param copiedPacks see the record
   * @param copiedBytes see the record
   * @param failedCopies see the record
   * @param repairedCopies see the record
   */
  public ReplicationStats(
      ReplicationMode mode,
      int replicationFactor,
      int nodes,
      long underReplicatedPacks,
      long underReplicatedBytes,
      long copiedPacks,
      long copiedBytes,
      long failedCopies,
      long repairedCopies) {
    this(
        mode,
        replicationFactor,
        nodes,
        underReplicatedPacks,
        underReplicatedBytes,
        copiedPacks,
        copiedBytes,
        failedCopies,
        repairedCopies,
        Map.of());
  }

  /**
   * Returns one node's stats.
   *
   * @param nodeId the node id
   * @return its stats
   * @throws IllegalArgumentException if no node has that id
   */
  public NodeStats node(String nodeId) {
    NodeStats s = perNode.get(Objects.requireNonNull(nodeId, "nodeId"));
    if (s == null) {
      throw new IllegalArgumentException(
          "nodeId must be one of " + perNode.keySet() + " but was " + nodeId);
    }
    return s;
  }
}
