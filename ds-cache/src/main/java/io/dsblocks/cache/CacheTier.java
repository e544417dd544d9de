package io.dsblocks.cache;

import java.time.Duration;

/**
 * A cache level below the heap (L1): off-heap or persistent on this node (L2), or remote and shared
 * by many nodes. A {@link DsCache} configured with tiers reads L1 → tiers in order → loader and
 * promotes a value found in a lower level into every level above it; puts, deletes and
 * invalidations go through every level.
 *
 * <p>A tier is a cache, never the system of record: losing its content costs loads, not data. So a
 * failing tier does not fail the caller. The cache counts the error, reports it to {@link
 * CacheListener#onTierError} and carries on as if the tier had missed; an implementation should
 * fail fast (short timeouts) rather than block callers while its backend is down.
 *
 * <p>Implementations must be thread-safe. {@link DsCache#close()} does not close tiers: the caller
 * that created a tier owns it, because one tier (say, a Redis connection) may serve several caches.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface CacheTier<K, V> {

  /**
   * Returns a short name for errors, events and metrics, such as {@code "chronicle-l2"}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns whether other nodes read this tier too (a remote tier). An invalidation received from
   * another node drops a key from this node's L1 and unshared tiers only: the writer has already
   * updated the shared tier, and dropping it there would only cost every node a load.
   *
   * @return true for a tier shared between nodes
   */
  boolean shared();

  /**
   * Returns the value stored for {@code key}, or null.
   *
   * @param key the key
   * @return the value, or null when absent or expired
   * @throws CacheTierException if the tier cannot answer
   */
  V get(K key);

  /**
   * Stores a value.
   *
   * @param key the key
   * @param value the value
   * @param ttl how long the tier may keep it, or null for no limit
   * @throws CacheTierException if the tier cannot store it
   */
  void put(K key, V value, Duration ttl);

  /**
   * Stores a value that this node read from a lower level or loaded from the source, unless the
   * tier already holds one. The cache uses it to fill {@linkplain #shared() shared} tiers: another
   * node may have written a newer value since this node's read began, and such a fill must never
   * overwrite it. A shared tier should implement it atomically (Redis: {@code SET ... NX}); the
   * default is {@link #put}, which is right for a tier only this node writes.
   *
   * @param key the key
   * @param value the value
   * @param ttl how long the tier may keep it, or null for no limit
   * @throws CacheTierException if the tier cannot store it
   */
  default void putIfAbsent(K key, V value, Duration ttl) {
    put(key, value, ttl);
  }

  /**
   * Removes a key; removing an absent key is not an error.
   *
   * @param key the key
   * @throws CacheTierException if the tier cannot remove it
   */
  void remove(K key);

  /**
   * Removes every entry this tier holds for the cache it serves.
   *
   * @throws CacheTierException if the tier cannot clear
   */
  void clear();
}
