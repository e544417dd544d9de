package io.dsblocks.cache.redis;

/**
 * Told when a {@link RedisTier} has repaired Redis after an outage: it deleted a key whose put or
 * remove had failed (so Redis may have kept an old value), or cleared its whole namespace (when
 * there were too many such keys to remember, or a clear had failed).
 *
 * <p>Other nodes may have read that old value from Redis into their L1 between the moment Redis
 * came back and the repair. A listener that republishes an invalidation closes that window, for
 * example {@code key -> node.publishChange(key)} with an {@link
 * io.dsblocks.cache.InvalidationNode}: the receivers drop the key (and, seeing the sequence jump
 * left by the invalidation that failed during the outage, clear their L1).
 *
 * <p>Called on the tier's repair thread, one call at a time, never on a Redis I/O thread, so it may
 * block (for example to publish). An exception it throws is ignored.
 *
 * @param <K> key type
 */
public interface RepairListener<K> {

  /**
   * A key whose write had failed was deleted from Redis.
   *
   * @param key the key
   */
  void keyRepaired(K key);

  /** The tier's whole namespace was cleared because it could not remember every failed key. */
  default void namespaceCleared() {}
}
