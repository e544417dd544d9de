package io.dsblocks.cache.edge;

/**
 * A snapshot of an edge cache's counters since it was created. Counters are monotonic and
 * independently read, so a snapshot taken under load is not atomic across fields.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 *
 * @param hits fresh entries served
 * @param misses requests that found no usable entry
 * @param staleWhileRevalidate stale entries served while a background revalidation ran
 * @param staleIfError stale entries served because the origin failed
 * @param revalidatedNotModified revalidations answered {@code 304}
 * @param revalidatedModified revalidations answered with a full response
 * @param coalescedWaits requests that joined an origin fetch already in flight
 * @param originFetches origin calls
 * @param originErrors origin calls that failed or answered a 5xx
 * @param passes responses forwarded without being stored
 * @param stored responses stored
 * @param purged entries removed by purges
 * @param evicted entries removed for space or expiry
 * @param entries keys currently held
 * @param weightedBytes estimated bytes currently held (bodies, headers and keys)
 */
public record EdgeCacheStats(
    long hits,
    long misses,
    long staleWhileRevalidate,
    long staleIfError,
    long revalidatedNotModified,
    long revalidatedModified,
    long coalescedWaits,
    long originFetches,
    long originErrors,
    long passes,
    long stored,
    long purged,
    long evicted,
    long entries,
    long weightedBytes) {

  /**
   * Returns the hit ratio: served from cache (fresh or stale) over all lookups.
   *
   * @return a value in [0, 1], 0 when there were no lookups
   */
  public double hitRatio() {
    long served = hits + staleWhileRevalidate + staleIfError;
    long total = served + misses;
    return total == 0 ? 0 : (double) served / total;
  }
}
