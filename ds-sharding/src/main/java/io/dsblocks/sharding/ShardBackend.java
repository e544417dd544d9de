package io.dsblocks.sharding;

/**
 * The per-node storage a {@link ShardedStore} routes to: a local map, a client for a remote server,
 * a file. Implementations must be thread-safe.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface ShardBackend<K, V> {
  /**
   * Reads a value.
   *
   * @param key the key
   * @return the value, or null if absent
   */
  V get(K key);

  /**
   * Writes a value.
   *
   * @param key the key
   * @param value the value, not null
   */
  void put(K key, V value);

  /**
   * Writes a value unless one is present (used by migration, so a migrated old value never
   * overwrites a newer write).
   *
   * @param key the key
   * @param value the value
   * @return the existing value, or null if {@code value} was written
   */
  V putIfAbsent(K key, V value);

  /**
   * Deletes a value; absent keys are ignored.
   *
   * @param key the key
   */
  void delete(K key);

  /**
   * The keys this backend holds, for migration. May be a weakly consistent snapshot.
   *
   * @return the keys
   */
  Iterable<K> keys();

  /**
   * A backend over a concurrent map (handy for tests and in-process demos).
   *
   * @param map the map
   * @param <K> key type
   * @param <V> value type
   * @return the backend
   */
  static <K, V> ShardBackend<K, V> of(java.util.concurrent.ConcurrentMap<K, V> map) {
    return new ShardBackend<>() {
      @Override
      public V get(K key) {
        return map.get(key);
      }

      @Override
      public void put(K key, V value) {
        map.put(key, value);
      }

      @Override
      public V putIfAbsent(K key, V value) {
        return map.putIfAbsent(key, value);
      }

      @Override
      public void delete(K key) {
        map.remove(key);
      }

      @Override
      public Iterable<K> keys() {
        return map.keySet();
      }
    };
  }
}
