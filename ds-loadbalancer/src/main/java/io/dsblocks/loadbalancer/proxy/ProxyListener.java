package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import java.net.SocketAddress;

/**
 * Hears what an {@link L7Proxy} or {@link L4Proxy} does: connections, backend connect failures,
 * retries and locally generated responses. Every method has an empty default, so implement only
 * what you need; with no listener configured the proxy calls a shared no-op instance and allocates
 * nothing for events.
 *
 * <p>Methods run on the proxy's event-loop threads, concurrently for different connections: they
 * must be thread-safe, fast and must not block (hand slow work to another executor).
 */
public interface ProxyListener {

  /** A listener that ignores every event. */
  ProxyListener NONE = new ProxyListener() {};

  /**
   * A client connection was accepted.
   *
   * @param client the client's address
   */
  default void onConnectionAccepted(SocketAddress client) {}

  /**
   * A client connection was closed right after being accepted because the proxy already held its
   * maximum number of connections.
   *
   * @param client the client's address
   */
  default void onConnectionRejected(SocketAddress client) {}

  /**
   * Connecting to a backend failed (refused, unreachable or timed out).
   *
   * @param pool the backend pool's name
   * @param endpoint the endpoint that could not be reached
   * @param cause the connect error
   */
  default void onBackendConnectFailed(String pool, Endpoint endpoint, Throwable cause) {}

  /**
   * A failed attempt is being retried on another backend.
   *
   * @param pool the backend pool's name
   * @param failed the endpoint whose attempt failed
   * @param attempt the number of the attempt about to start (2 for the first retry)
   */
  default void onRetry(String pool, Endpoint failed, int attempt) {}

  /**
   * An attempt failed and could have been retried, but the retry budget refused.
   *
   * @param pool the backend pool's name
   */
  default void onRetryDenied(String pool) {}

  /**
   * The proxy answered a request itself instead of forwarding a backend's response (validation
   * errors, no route, rate limit, open breaker, backend failure or timeout, filter denial).
   *
   * @param status the HTTP status sent
   * @param reason a short constant naming the cause, e.g. {@code "rate_limited"}; see {@link
   *     AccessLogRecord#reason()}
   */
  default void onLocalResponse(int status, String reason) {}
}
