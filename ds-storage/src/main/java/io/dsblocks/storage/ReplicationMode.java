package io.dsblocks.storage;

/** When a write that creates new pack data is acknowledged, relative to its replicas. */
public enum ReplicationMode {
  /**
   * Acknowledge after every copy is durable: the packs a commit references are sealed and copied
   * (fsynced) to all their nodes before the commit's index write. A node failure fails the write.
   */
  SYNC,
  /**
   * Acknowledge after the local copy is durable; a background copier replicates packs once they are
   * sealed. {@link ReplicationStats} shows the lag.
   */
  ASYNC
}
