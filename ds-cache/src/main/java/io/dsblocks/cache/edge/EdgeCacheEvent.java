package io.dsblocks.cache.edge;

/**
 * What an edge cache reports to its {@link EdgeCacheListener} and counts in {@link EdgeCacheStats}.
 *
 * <p>Thread-safety: an enum, immutable.
 */
public enum EdgeCacheEvent {
  /** A fresh entry was served. */
  HIT,
  /** No usable entry; the origin was asked (or, in push-only lookups, nothing was served). */
  MISS,
  /** A stale entry was served because of stale-while-revalidate. */
  STALE_WHILE_REVALIDATE,
  /** A stale entry was served because the origin failed within stale-if-error. */
  STALE_IF_ERROR,
  /** A revalidation got {@code 304 Not Modified}: headers refreshed, stored body reused. */
  REVALIDATED_NOT_MODIFIED,
  /** A revalidation got a full response that replaced the entry. */
  REVALIDATED_MODIFIED,
  /** A request waited for an origin fetch another request had already started for its key. */
  COALESCED_WAIT,
  /** The cache called the origin (miss, revalidation or pass-through). */
  ORIGIN_FETCH,
  /** The origin call failed (exception) or answered a 5xx for a cache fill or revalidation. */
  ORIGIN_ERROR,
  /** A response was forwarded without being stored (uncacheable, too large, method...). */
  PASS,
  /** A response was stored (pull fill, revalidation or push). */
  STORED,
  /** An entry was removed by a purge (one event per removed key). */
  PURGED,
  /** An entry was removed for space or because it expired beyond any stale window. */
  EVICTED
}
