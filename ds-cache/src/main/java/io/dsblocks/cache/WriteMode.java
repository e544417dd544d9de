package io.dsblocks.cache;

/**
 * How {@link DsCache#put} and {@link DsCache#delete} reach the {@link CacheStore}.
 *
 * <p>Immutable and thread-safe.
 */
public enum WriteMode {
  /** No store: the cache is a plain (optionally read-through) cache. */
  NONE,
  /**
   * The store is written first, synchronously; only if that succeeds is the cache updated. A failed
   * store write leaves the cache unchanged and the caller gets a {@link CacheStoreException}.
   */
  WRITE_THROUGH,
  /**
   * The cache is updated and the write queued; a writer thread owned by the cache stores queued
   * writes in batches, coalescing writes to the same key. See {@link WriteBackConfig}.
   */
  WRITE_BACK
}
