package io.dsblocks.cache.internal;

import java.util.function.BiFunction;

/**
 * The storage and eviction policy under the cache core: Caffeine (W-TinyLFU) or an exact LRU/LFU.
 * The core needs only a read and an atomic per-key compute; everything else (versions, leases,
 * write modes) is built on those two, identically for every policy.
 *
 * @param <K> key type
 * @param <V> value type
 */
interface EntryMap<K, V> {

  /** Returns the live entry or null, recording the access for the policy. */
  Entry<V> get(K key);

  /**
   * Atomically replaces the entry of {@code key} by {@code fn(key, current)} (null removes). No
   * other compute on the same key runs concurrently; {@code fn} must be short and must not touch
   * this map.
   */
  Entry<V> compute(K key, BiFunction<? super K, ? super Entry<V>, ? extends Entry<V>> fn);

  /** Removes every entry (not reported as evictions). */
  void clear();

  /** Returns the number of entries. */
  long size();
}
