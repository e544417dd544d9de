package io.dsblocks.cache.edge;

/**
 * Receives edge cache events, e.g. to bind them to metrics or traces.
 *
 * <p>Called synchronously on the thread where the event happens, sometimes while a cache-internal
 * lock for the key is held ({@link EdgeCacheEvent#EVICTED} by size): implementations must be fast,
 * must not block and must not call back into the cache. Exceptions thrown by a listener are caught
 * and ignored, so a faulty listener cannot break the cache. When no listener is configured nothing
 * is called and nothing is allocated.
 *
 * <p>Thread-safety: implementations must be thread-safe; events arrive concurrently.
 */
@FunctionalInterface
public interface EdgeCacheListener {

  /**
   * Called for each event.
   *
   * @param event what happened
   * @param key the cache key concerned (never null)
   */
  void onEvent(EdgeCacheEvent event, String key);
}
