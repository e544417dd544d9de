package io.dsblocks.cache.edge;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A shared HTTP cache for an edge or reverse proxy (a CDN building block), following RFC 9111 for
 * shared caches plus {@code stale-while-revalidate}/{@code stale-if-error} (RFC 5861).
 *
 * <p>Two ways to fill it, usable together:
 *
 * <ul>
 *   <li><b>pull</b>: {@link #get} serves fresh entries, revalidates stale ones with {@code
 *       If-None-Match}/{@code If-Modified-Since}, and on a miss asks the configured {@link Origin}
 *       — concurrent misses for the same key share one origin fetch;
 *   <li><b>push</b>: the origin {@link #publish publishes} responses and purges them by exact key,
 *       by key prefix or by tag (surrogate key).
 * </ul>
 *
 * <p>Memory is bounded by the estimated bytes of stored entries; responses larger than {@link
 * EdgeCacheConfig#maxObjectBytes()} are passed through. Time comes from the configured clock.
 *
 * <p>Thread-safety: all methods are thread-safe and non-blocking (apart from the cache's short
 * per-key critical sections); the returned stages complete on the thread that completes the
 * origin's stage, or on the caller's thread when no origin call is needed.
 */
public interface EdgeCache {

  /**
   * Answers a request: from cache when allowed, otherwise through the origin. Non-GET/HEAD requests
   * are passed through, and an unsafe method (POST, PUT, DELETE, PATCH) that succeeds invalidates
   * the entry for its key (RFC 9111 section 4.4). A HEAD is answered from a stored GET response
   * when one is fresh, and passed through otherwise.
   *
   * <p>When the request carries {@code If-None-Match} or {@code If-Modified-Since} and the cached
   * response matches, the result is a {@code 304} without body.
   *
   * @param request the client request
   * @return the result; completes exceptionally with {@link OriginException} when the origin failed
   *     and nothing could be served instead
   * @throws IllegalStateException when the cache has no origin (push-only); use {@link #lookup}
   */
  CompletionStage<EdgeResult> get(EdgeRequest request);

  /**
   * Like {@link #get(EdgeRequest)}, but every origin call this request needs goes to {@code origin}
   * instead of the configured one: the fetch of a miss it leads, a revalidation (also a background
   * {@code stale-while-revalidate} one it triggers) and a pass-through. This lets a front end that
   * owns its own connections (e.g. a proxy on an event loop) supply, per request, an origin bound
   * to its context. The cache itself may then be built without an origin.
   *
   * <p>Concurrent misses still coalesce across callers: a waiter is answered from the fetch of
   * whichever call leads, so every origin passed to one cache must serve the same content.
   *
   * @param request the client request
   * @param origin the origin for this call's fetches
   * @return the result, as for {@link #get(EdgeRequest)}
   */
  CompletionStage<EdgeResult> get(EdgeRequest request, Origin origin);

  /**
   * Returns the configuration the cache was built with (e.g. its {@link
   * EdgeCacheConfig#maxObjectBytes()}, which a front end uses to decide how much of a response to
   * buffer).
   *
   * @return the configuration
   */
  EdgeCacheConfig config();

  /**
   * Serves a request from cache only, never contacting the origin: a fresh entry, or nothing. This
   * is how a push-only cache is read.
   *
   * @param request the client request
   * @return the response with {@code Age}, or empty when no fresh entry is stored
   */
  Optional<EdgeResult> lookup(EdgeRequest request);

  /**
   * Stores a response pushed by the origin, tagged with the given tags plus those in the configured
   * tag headers. The response's own freshness information applies; a response without any ({@code
   * max-age}, {@code s-maxage}, {@code Expires}) stays fresh until purged, since the publisher owns
   * its lifetime. Responses a shared cache must not store ({@code no-store}, {@code private},
   * {@code Vary: *}, a body over the size limit) are refused.
   *
   * @param request the request the response answers (its key and {@code Vary}'d header fields)
   * @param response the response
   * @param tags purge tags, may be empty
   * @return true when stored
   */
  boolean publish(EdgeRequest request, EdgeResponse response, Collection<String> tags);

  /**
   * Removes the entry (all variants) for a key.
   *
   * @param key an exact cache key
   * @return the number of keys removed (0 or 1)
   */
  int purge(String key);

  /**
   * Removes every entry whose key starts with a prefix, in O(log n + m) index work for m matches.
   *
   * @param prefix the key prefix; the empty prefix purges everything
   * @return the number of keys removed
   */
  int purgePrefix(String prefix);

  /**
   * Removes every entry carrying a tag, in O(m) index work for m tagged keys.
   *
   * @param tag the tag (surrogate key)
   * @return the number of keys removed
   */
  int purgeTag(String tag);

  /**
   * Returns a snapshot of the counters.
   *
   * @return stats
   */
  EdgeCacheStats stats();
}
