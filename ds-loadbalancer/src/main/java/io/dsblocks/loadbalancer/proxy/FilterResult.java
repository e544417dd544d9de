package io.dsblocks.loadbalancer.proxy;

import java.util.Map;
import java.util.Objects;

/**
 * What an {@link HttpFilter} decided: go on, or answer the request with a given response.
 *
 * <p>Immutable and thread-safe; {@link #proceed()} is a shared constant, so the common path
 * allocates nothing.
 */
public final class FilterResult {
  private static final FilterResult PROCEED = new FilterResult(0, Map.of(), "");

  private final int status;
  private final Map<String, String> headers;
  private final String body;

  private FilterResult(int status, Map<String, String> headers, String body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /**
   * Let the request go on to the next filter and then to a backend.
   *
   * @return the shared "proceed" result
   */
  public static FilterResult proceed() {
    return PROCEED;
  }

  /**
   * Answer with a status and an empty body.
   *
   * @param status an HTTP status, 200 to 599
   * @return the result
   * @throws IllegalArgumentException if the status is outside [200, 599]
   */
  public static FilterResult respond(int status) {
    return respond(status, Map.of(), "");
  }

  /**
   * Answer with a status, extra headers and a UTF-8 text body.
   *
   * @param status an HTTP status, 200 to 599
   * @param headers extra response headers, e.g. {@code www-authenticate}
   * @param body the body text (sent as {@code text/plain; charset=utf-8})
   * @return the result
   * @throws IllegalArgumentException if the status is outside [200, 599]
   * @throws NullPointerException if {@code headers} or {@code body} is null
   */
  public static FilterResult respond(int status, Map<String, String> headers, String body) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status must be in [200, 599], was " + status);
    }
    return new FilterResult(
        status,
        Map.copyOf(Objects.requireNonNull(headers, "headers must not be null")),
        Objects.requireNonNull(body, "body must not be null"));
  }

  /**
   * Whether the request goes on.
   *
   * @return true for {@link #proceed()}
   */
  public boolean proceeds() {
    return this == PROCEED;
  }

  /**
   * The status to answer with.
   *
   * @return the status, or 0 for {@link #proceed()}
   */
  public int status() {
    return status;
  }

  /**
   * Extra response headers.
   *
   * @return an immutable map
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * The response body text.
   *
   * @return the body, empty for none
   */
  public String body() {
    return body;
  }

  @Override
  public String toString() {
    return proceeds() ? "FilterResult{proceed}" : "FilterResult{respond " + status + "}";
  }
}
