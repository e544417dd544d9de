package io.dsblocks.cache.edge;

import java.util.Locale;
import java.util.Objects;

/**
 * An immutable HTTP-like request as seen by the edge cache: method, URI (path and query, plus
 * scheme and authority if the caller wants them in the cache key) and the request header fields
 * that matter for caching (Cache-Control, If-None-Match, If-Modified-Since, Authorization and any
 * field named by a response's {@code Vary}).
 *
 * <p>The type is transport-neutral on purpose: a Netty or servlet front end copies the few fields
 * it needs into it.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 *
 * @param method request method, upper-case (e.g. {@code GET})
 * @param uri request target, used as the default cache key
 * @param headers request header fields
 */
public record EdgeRequest(String method, String uri, EdgeHeaders headers) {

  /**
   * Validates and normalises the method to upper case.
   *
   * @param method request method
   * @param uri request target
   * @param headers request header fields
   */
  public EdgeRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(headers, "headers");
    if (method.isBlank()) {
      throw new IllegalArgumentException("method must not be blank");
    }
    if (uri.isEmpty()) {
      throw new IllegalArgumentException("uri must not be empty");
    }
    method = method.toUpperCase(Locale.ROOT);
  }

  /**
   * A GET request without header fields.
   *
   * @param uri request target
   * @return the request
   */
  public static EdgeRequest get(String uri) {
    return new EdgeRequest("GET", uri, EdgeHeaders.empty());
  }

  /**
   * A GET request with header fields.
   *
   * @param uri request target
   * @param headers request header fields
   * @return the request
   */
  public static EdgeRequest get(String uri, EdgeHeaders headers) {
    return new EdgeRequest("GET", uri, headers);
  }

  /**
   * Returns a copy with different header fields.
   *
   * @param newHeaders the header fields
   * @return a new request
   */
  public EdgeRequest withHeaders(EdgeHeaders newHeaders) {
    return new EdgeRequest(method, uri, newHeaders);
  }
}
