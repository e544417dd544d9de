package io.dsblocks.cache;

/**
 * Computes the value of a key on a cache miss (read-through).
 *
 * <p>The cache calls a loader at most once at a time per key (single-flight): concurrent misses on
 * one key wait for the same load. Implementations must be thread-safe across keys.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface CacheLoader<K, V> {

  /**
   * Loads the value of {@code key}.
   *
   * @param key the key, never null
   * @return the value, or {@code null} if the key has none (cached only with negative caching)
   * @throws Exception if loading fails; the caller of {@code get} receives a {@link
   *     CacheLoadException} wrapping it, and nothing is cached
   */
  V load(K key) throws Exception;
}
