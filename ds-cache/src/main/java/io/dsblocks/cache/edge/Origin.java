package io.dsblocks.cache.edge;

import java.util.concurrent.CompletionStage;

/**
 * The server behind the edge cache, called on a miss, for a revalidation and for requests the cache
 * does not handle (pass-through).
 *
 * <p>Implementations must not block the calling thread: the cache calls {@link #fetch} on the
 * thread of the client request that triggered it (also for background revalidations), and continues
 * on whichever thread completes the returned stage. A thrown exception is treated like a failed
 * stage.
 *
 * <p>Thread-safety: implementations must be thread-safe; the cache calls them concurrently for
 * different keys.
 *
 * <p>The returned stage must eventually complete: every request coalesced on a fetch waits for it,
 * and the cache applies no timeout of its own (it owns no scheduler). Bound the call in the origin,
 * e.g. with a client read timeout or {@code future.orTimeout(...)}; a timeout is then an ordinary
 * failure, subject to {@code stale-if-error}.
 */
@FunctionalInterface
public interface Origin {

  /**
   * Fetches a response. For a revalidation the request carries {@code If-None-Match} and/or {@code
   * If-Modified-Since}, and the origin may answer {@code 304 Not Modified}.
   *
   * @param request the request to send
   * @return the response, completed exceptionally when the origin cannot be reached
   */
  CompletionStage<EdgeResponse> fetch(EdgeRequest request);
}
