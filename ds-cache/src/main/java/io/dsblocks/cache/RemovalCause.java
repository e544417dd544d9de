package io.dsblocks.cache;

/**
 * Why the cache dropped an entry on its own (reported to {@link CacheListener#onEviction}).
 *
 * <p>Immutable and thread-safe.
 */
public enum RemovalCause {
  /** The size or weight bound was exceeded. */
  SIZE,
  /** The entry's time to live or idle time elapsed. */
  EXPIRED
}
