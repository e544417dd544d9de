package io.dsblocks.cache;

import java.util.Collection;
import java.util.Map;

/**
 * The system of record behind a write-through or write-back cache (a database, a service, a file).
 *
 * <p>{@link #write} and {@link #delete} must be idempotent: the write-back queue retries a failed
 * batch and replays its journal after a crash, so the same operation can reach the store more than
 * once (always in per-key order). Implementations must be thread-safe; the cache never calls them
 * concurrently for the same key.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface CacheStore<K, V> {

  /**
   * Reads the stored value of {@code key}; used as the loader when none is configured.
   *
   * @param key the key
   * @return the value, or {@code null} if absent
   * @throws Exception if the store cannot be read
   */
  V load(K key) throws Exception;

  /**
   * Stores {@code value} under {@code key}.
   *
   * @param key the key
   * @param value the value, never null
   * @throws Exception if the store rejects or cannot perform the write
   */
  void write(K key, V value) throws Exception;

  /**
   * Deletes {@code key}; deleting an absent key is not an error.
   *
   * @param key the key
   * @throws Exception if the store cannot perform the delete
   */
  void delete(K key) throws Exception;

  /**
   * Stores a batch (write-back). The default writes one entry at a time; override it when the store
   * has a cheaper bulk operation. If it throws, the whole batch is retried.
   *
   * @param entries keys and values to store, one entry per key
   * @throws Exception if any write fails
   */
  default void writeAll(Map<K, V> entries) throws Exception {
    for (Map.Entry<K, V> e : entries.entrySet()) {
      write(e.getKey(), e.getValue());
    }
  }

  /**
   * Deletes a batch (write-back). The default deletes one key at a time.
   *
   * @param keys the keys to delete, each once
   * @throws Exception if any delete fails
   */
  default void deleteAll(Collection<K> keys) throws Exception {
    for (K key : keys) {
      delete(key);
    }
  }
}
