package io.dsblocks.cache.edge;

import java.util.Objects;

/**
 * What the edge cache answered for a request: the response to send and how it was produced (the
 * value proxies usually expose as an {@code X-Cache} header).
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 *
 * @param response the response to send to the client (carries {@code Age} when served from cache)
 * @param status how the response was produced
 */
public record EdgeResult(EdgeResponse response, Status status) {

  /**
   * Validates the components.
   *
   * @param response the response
   * @param status the status
   */
  public EdgeResult {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(status, "status");
  }

  /** How a response was produced. */
  public enum Status {
    /** Served from cache, fresh. */
    HIT,
    /** Not in cache (or not usable); fetched from the origin, and stored if storable. */
    MISS,
    /** Served stale from cache (stale-while-revalidate or stale-if-error). */
    STALE,
    /** A stale or no-cache entry was revalidated with the origin before serving. */
    REVALIDATED,
    /** Not cacheable (method, directives, size, Vary); forwarded to the origin, not stored. */
    PASS
  }
}
