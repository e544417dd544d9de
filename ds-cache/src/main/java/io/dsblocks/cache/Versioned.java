package io.dsblocks.cache;

/**
 * A cached value with the version the cache gave it when it was stored.
 *
 * <p>Versions are unique per cache instance and grow with every put, so {@link
 * DsCache#putIfVersion} can reject a write based on a stale read even if the key was evicted and
 * re-inserted in between. Immutable and thread-safe.
 *
 * @param value the value, never null
 * @param version its version, at least 1
 * @param <V> value type
 */
public record Versioned<V>(V value, long version) {}
