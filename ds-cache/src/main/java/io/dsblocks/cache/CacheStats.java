package io.dsblocks.cache;

/**
 * A point-in-time snapshot of a cache's counters, from {@link DsCache#stats()}. Counters are read
 * one by one without a global lock, so a snapshot taken under load may be off by the operations in
 * flight. Hits, misses, loads, load failures, load time and evictions stay zero unless {@link
 * CacheConfig.Builder#recordStats()} is set; stale loads discarded and the write-back counters are
 * always kept (they change only on rare or already expensive paths).
 *
 * <p>Immutable and thread-safe.
 *
 * @param hits lookups that found an entry (a negatively cached key counts as a hit)
 * @param misses lookups that found no entry
 * @param loads loads that completed (including ones that returned null)
 * @param loadFailures loads that threw
 * @param totalLoadTimeNanos time spent in successful and failed loads, in ticker nanoseconds
 * @param evictions entries dropped for size or expiry
 * @param staleLoadsDiscarded loads whose result was not cached because the key was invalidated or
 *     written (or, for a refresh, its entry evicted or expired) while they ran
 * @param writeBackPending keys waiting in the write-back queue now (not counting a batch being
 *     stored)
 * @param writesCoalesced write-back writes that replaced a still-queued write to the same key
 * @param storeWrites keys written or deleted in the store by the write-back writer
 * @param storeWriteFailures write-back writes given up after all attempts
 * @param tierHits L1 misses answered by a tier below L1 (always kept)
 * @param tierErrors tier operations that failed and were skipped (always kept)
 */
public record CacheStats(
    long hits,
    long misses,
    long loads,
    long loadFailures,
    long totalLoadTimeNanos,
    long evictions,
    long staleLoadsDiscarded,
    long writeBackPending,
    long writesCoalesced,
    long storeWrites,
    long storeWriteFailures,
    long tierHits,
    long tierErrors) {

  /**
   * Returns hits divided by lookups, or 1.0 if there were none.
   *
   * @return the hit rate in [0, 1]
   */
  public double hitRate() {
    long lookups = hits + misses;
    return lookups == 0 ? 1.0 : (double) hits / lookups;
  }

  /**
   * Returns the mean load time in nanoseconds, or 0 if nothing was loaded.
   *
   * @return average nanoseconds per load attempt
   */
  public double averageLoadPenaltyNanos() {
    long attempts = loads + loadFailures;
    return attempts == 0 ? 0.0 : (double) totalLoadTimeNanos / attempts;
  }
}
