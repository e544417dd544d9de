package io.dsblocks.cache;

import java.time.Duration;

/**
 * Chooses the time to live of each entry when it is stored (per-entry TTL).
 *
 * <p>Implementations must be thread-safe and fast: they run on every put and load.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface TtlFunction<K, V> {

  /**
   * Returns how long the entry lives after this write.
   *
   * @param key the key
   * @param value the value being stored
   * @return a positive duration
   */
  Duration ttl(K key, V value);
}
