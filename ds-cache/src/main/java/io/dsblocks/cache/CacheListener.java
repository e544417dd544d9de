package io.dsblocks.cache;

/**
 * Receives what happens inside a cache, for metrics, logs and tests. Every method has an empty
 * default, so implement only what you need.
 *
 * <p>Register listeners with {@link CacheConfig.Builder#listener}. A cache with no listener pays
 * nothing for this API (no allocation, no call). Methods are called synchronously on the thread
 * that caused the event: the writer thread for write-back events, the maintenance executor (see
 * {@link CacheConfig.Builder#executor}) for W-TinyLFU evictions. So they must be fast, thread-safe
 * and must not call back into the cache; an exception thrown by a listener is caught and ignored so
 * it cannot break the cache.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface CacheListener<K, V> {

  /**
   * An entry was evicted or expired.
   *
   * @param key the key
   * @param value the value, or null for a negatively cached key
   * @param cause why
   */
  default void onEviction(K key, V value, RemovalCause cause) {}

  /**
   * A load (read-through or refresh) failed.
   *
   * @param key the key
   * @param error the loader's error
   */
  default void onLoadFailure(K key, Throwable error) {}

  /**
   * A load finished but its value was not cached because the key was invalidated or written (or,
   * for a refresh, its entry evicted or expired) while the load was in flight (the generation guard
   * worked).
   *
   * @param key the key
   */
  default void onStaleLoadDiscarded(K key) {}

  /**
   * A write-back batch attempt failed and will be retried.
   *
   * @param batchSize number of keys in the batch
   * @param attempt the attempt that failed, starting at 1
   * @param error the store's error
   */
  default void onWriteBackRetry(int batchSize, int attempt, Throwable error) {}

  /**
   * The write-back journal was opened and replayed at start.
   *
   * @param report what was found and replayed, including any torn tail that was cut off
   */
  default void onJournalRecovered(JournalReport report) {}

  /**
   * A tier failed; the cache carried on without it (a read treated the tier as a miss, a write or
   * invalidation left the tier as it was).
   *
   * @param tier the tier's {@link CacheTier#name()}
   * @param operation {@code "get"}, {@code "put"}, {@code "remove"} or {@code "clear"}
   * @param key the key, or null for {@code clear}
   * @param error the tier's error
   */
  default void onTierError(String tier, String operation, K key, Throwable error) {}
}
