package io.dsblocks.cache;

import io.dsblocks.cache.internal.DefaultDsCache;

/**
 * Creates caches.
 *
 * <pre>{@code
 * DsCache<String, String> plain = Caches.bounded(10_000);
 * DsCache<Long, User> users = Caches.loading(10_000, userDao::find);
 * DsCache<String, String> lru = Caches.create(
 *     CacheConfig.<String, String>builder().policy(EvictionPolicy.LRU).maximumSize(100).build());
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread; each returns a new cache.
 */
public final class Caches {
  private Caches() {}

  /**
   * Creates a cache from a configuration. A write-back cache with a journal replays it here.
   *
   * @param config the configuration
   * @param <K> key type
   * @param <V> value type
   * @return the cache; close it when done if it is write-back or refreshes
   * @throws JournalException if the journal cannot be opened or read
   */
  public static <K, V> DsCache<K, V> create(CacheConfig<K, V> config) {
    return new DefaultDsCache<>(config, true);
  }

  /**
   * Creates a W-TinyLFU cache of at most {@code maximumSize} entries, with no loader.
   *
   * @param maximumSize the bound, at least 0
   * @param <K> key type
   * @param <V> value type
   * @return the cache
   */
  public static <K, V> DsCache<K, V> bounded(long maximumSize) {
    return create(CacheConfig.<K, V>builder().maximumSize(maximumSize).build());
  }

  /**
   * Creates a W-TinyLFU read-through cache of at most {@code maximumSize} entries.
   *
   * @param maximumSize the bound, at least 0
   * @param loader loads missing keys
   * @param <K> key type
   * @param <V> value type
   * @return the cache
   */
  public static <K, V> DsCache<K, V> loading(long maximumSize, CacheLoader<K, V> loader) {
    return create(CacheConfig.<K, V>builder().maximumSize(maximumSize).loader(loader).build());
  }
}
