package io.dsblocks.cache.edge;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable HTTP-like response: status code, header fields and a body held in memory.
 *
 * <p>The body is copied once when the response is created and never exposed mutably: {@link
 * #body()} returns a read-only view, so one stored response can be served to many clients without
 * copying. Bodies larger than the cache's {@code maxObjectBytes} are still representable (they are
 * passed through, not stored).
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class EdgeResponse {

  private static final byte[] NO_BODY = new byte[0];

  private final int status;
  private final EdgeHeaders headers;
  private final byte[] body;

  private EdgeResponse(int status, EdgeHeaders headers, byte[] body) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in [100, 599], got " + status);
    }
    this.status = status;
    this.headers = Objects.requireNonNull(headers, "headers");
    this.body = body;
  }

  /**
   * Creates a response, copying the body.
   *
   * @param status status code in [100, 599]
   * @param headers header fields
   * @param body body bytes (copied)
   * @return the response
   */
  public static EdgeResponse of(int status, EdgeHeaders headers, byte[] body) {
    Objects.requireNonNull(body, "body");
    return new EdgeResponse(status, headers, body.length == 0 ? NO_BODY : body.clone());
  }

  /**
   * Creates a response, copying the remaining bytes of a buffer (its position is not changed).
   *
   * @param status status code in [100, 599]
   * @param headers header fields
   * @param body body bytes (copied)
   * @return the response
   */
  public static EdgeResponse of(int status, EdgeHeaders headers, ByteBuffer body) {
    Objects.requireNonNull(body, "body");
    byte[] copy = new byte[body.remaining()];
    body.duplicate().get(copy);
    return new EdgeResponse(status, headers, copy);
  }

  /**
   * Creates a response without a body.
   *
   * @param status status code in [100, 599]
   * @param headers header fields
   * @return the response
   */
  public static EdgeResponse of(int status, EdgeHeaders headers) {
    return new EdgeResponse(status, headers, NO_BODY);
  }

  /**
   * Returns the status code.
   *
   * @return status code
   */
  public int status() {
    return status;
  }

  /**
   * Returns the header fields.
   *
   * @return header fields
   */
  public EdgeHeaders headers() {
    return headers;
  }

  /**
   * Returns a read-only view of the body, positioned at 0.
   *
   * @return the body
   */
  public ByteBuffer body() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /**
   * Returns a copy of the body.
   *
   * @return body bytes
   */
  public byte[] bodyBytes() {
    return body.clone();
  }

  /**
   * Returns the body length in bytes.
   *
   * @return body length
   */
  public int bodyLength() {
    return body.length;
  }

  /**
   * Returns a copy with other header fields and the same body (not copied again).
   *
   * @param newHeaders header fields
   * @return a new response
   */
  public EdgeResponse withHeaders(EdgeHeaders newHeaders) {
    return new EdgeResponse(status, newHeaders, body);
  }

  /**
   * Returns a copy with another status and header fields and no body.
   *
   * @param newStatus status code
   * @param newHeaders header fields
   * @return a new response
   */
  public EdgeResponse withoutBody(int newStatus, EdgeHeaders newHeaders) {
    return new EdgeResponse(newStatus, newHeaders, NO_BODY);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EdgeResponse r
        && r.status == status
        && r.headers.equals(headers)
        && Arrays.equals(r.body, body);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * status + headers.hashCode()) + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "EdgeResponse{" + status + ", " + headers + ", " + body.length + " bytes}";
  }
}
