package io.dsblocks.cache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A local cache over Caffeine (or an exact LRU/LFU) with read-through loading, write-through or
 * write-back to a {@link CacheStore}, versioned compare-and-set, and a generation guard against
 * stale loads. Build one with {@link Caches}.
 *
 * <h2>Consistency on this node</h2>
 *
 * <ul>
 *   <li>Once {@link #put} returns, every later read on this node returns that value (or a newer
 *       one) until the entry expires or is evicted; with {@link WriteMode#WRITE_BACK} even an
 *       evicted entry is served from the queue until its write is stored.
 *   <li>A load (read-through or refresh) that was in flight when the key was {@linkplain
 *       #invalidate invalidated}, {@linkplain #put put} or {@linkplain #delete deleted} never
 *       leaves its result cached: each load holds a lease that those operations revoke in the same
 *       atomic step that changes the entry, and the load installs only if its lease is intact and
 *       the key still holds the entry the load saw (checked under the key's lock). Callers already
 *       waiting on that load still receive its value.
 *   <li>Concurrent misses on one key share one load (single-flight).
 *   <li>With {@linkplain CacheConfig.Builder#tier tiers}, a miss reads the tiers in order before
 *       the loader and copies a value found in a lower level into every level above it; puts,
 *       deletes and invalidations update L1 and then every tier, holding the key's lock so that L1
 *       and the tiers see one key's writes in the same order. A promotion or a loaded value reaches
 *       the tiers only if no write or invalidation of the key came after it reached L1. A failing
 *       tier is skipped and counted ({@link CacheStats#tierErrors()}), never failing the caller.
 *   <li>Because a load that loses its lease still returns its value to its callers (without caching
 *       it), a read-through {@link #get} racing a write is not linearizable against {@link
 *       #putIfVersion}: {@code putIfVersion(k, v, 0)} may succeed on the absent key while a
 *       concurrent {@code get(k)} returns the loaded value. Plain reads, puts, compare-and-sets and
 *       invalidations are linearizable.
 * </ul>
 *
 * <p>Keys and values must not be null ({@link NullPointerException} naming the argument). Keys must
 * be immutable with consistent {@code equals}/{@code hashCode}.
 *
 * <p>Thread-safety: all methods are thread-safe. {@link #close()} is idempotent; after it, reads
 * still work but writes in write-back mode throw {@link IllegalStateException}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface DsCache<K, V> extends AutoCloseable {

  /**
   * Returns the cached value of {@code key} without loading. Only L1 is consulted (and the
   * write-back queue); use {@link #get} to read through the tiers.
   *
   * @param key the key
   * @return the value, or null if absent, expired, or negatively cached; in write-back mode a value
   *     still queued for the store is returned even if its entry was evicted
   */
  V getIfPresent(K key);

  /**
   * Returns the value of {@code key}, reading the tiers and then loading it through the configured
   * loader (or the store) on a miss. Concurrent misses on the same key wait for one load.
   *
   * @param key the key
   * @return the value, or null if neither the tiers nor the loader have one
   * @throws IllegalStateException if the cache has no loader, store or tier
   * @throws CacheLoadException if the load failed (nothing is cached)
   */
  V get(K key);

  /**
   * Returns the value of {@code key} with its version, without loading.
   *
   * @param key the key
   * @return the versioned value, or null if absent
   */
  Versioned<V> getVersioned(K key);

  /**
   * Stores {@code value} under {@code key}, with the default time to live. In write-through mode
   * the store is written first; in write-back mode the write is queued.
   *
   * @param key the key
   * @param value the value
   * @return the version given to the new entry
   * @throws CacheStoreException write-through: the store failed; the cache is unchanged
   * @throws WriteBackQueueFullException write-back: no room in the queue; the cache is unchanged
   * @throws JournalException write-back: the journal append failed; the cache is unchanged
   */
  long put(K key, V value);

  /**
   * Stores {@code value} under {@code key} with its own time to live (W-TinyLFU only).
   *
   * @param key the key
   * @param value the value
   * @param ttl how long the entry lives, positive
   * @return the version given to the new entry
   * @throws UnsupportedOperationException with an LRU or LFU policy
   */
  long put(K key, V value, Duration ttl);

  /**
   * Stores {@code value} only if the current entry has version {@code expectedVersion} (0 means "no
   * entry"). A writer that read version {@code v} and computed a new value therefore cannot
   * overwrite a newer write it never saw.
   *
   * @param key the key
   * @param value the new value
   * @param expectedVersion the version read before, or 0 if the key was absent
   * @return the new version, or -1 if the current version differed (nothing was written)
   */
  long putIfVersion(K key, V value, long expectedVersion);

  /**
   * Removes {@code key} from the cache and, with a store, from the store (write-through: store
   * first; write-back: a queued delete that supersedes a queued put).
   *
   * @param key the key
   */
  void delete(K key);

  /**
   * Drops {@code key} from this cache and its tiers (the store is not touched) and cancels the
   * install of any load in flight for it. In write-back mode a still-queued write stays queued and
   * visible.
   *
   * @param key the key
   */
  void invalidate(K key);

  /**
   * Drops every entry from this cache and its tiers (the store is not touched), cancelling the
   * install of every load in flight.
   */
  void invalidateAll();

  /**
   * Like {@link #invalidate}, but keeps the key in tiers shared with other nodes ({@link
   * CacheTier#shared()}): this is what a node does when another node tells it the key changed,
   * because the writer has already updated the shared tier. Without shared tiers it is {@link
   * #invalidate}.
   *
   * @param key the key
   */
  void invalidateLocal(K key);

  /**
   * Like {@link #invalidateAll}, but keeps the entries of tiers shared with other nodes (see {@link
   * #invalidateLocal}).
   */
  void invalidateAllLocal();

  /**
   * Returns the approximate number of entries.
   *
   * @return the entry count
   */
  long estimatedSize();

  /**
   * Returns a snapshot of the counters.
   *
   * @return the statistics
   */
  CacheStats stats();

  /**
   * Write-back: blocks until every write queued before this call is stored in the store (or handed
   * to the failure handler). Returns at once in other modes.
   *
   * @param timeout how long to wait at most
   * @param unit unit of {@code timeout}
   * @return true if everything was stored, false on timeout
   * @throws InterruptedException if interrupted while waiting
   */
  boolean flush(long timeout, TimeUnit unit) throws InterruptedException;

  /**
   * Stores every queued write (write-back), stops the cache's own threads and closes the journal.
   * Idempotent: later calls return at once.
   */
  @Override
  void close();
}
