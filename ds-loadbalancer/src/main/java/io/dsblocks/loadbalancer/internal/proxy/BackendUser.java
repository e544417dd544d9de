package io.dsblocks.loadbalancer.internal.proxy;

/**
 * What owns a backend connection while a request runs on it: an {@link Exchange} (a request
 * forwarded for a client) or a {@link BackendFetch} (a response cache's fill). {@link
 * BackendHandler} hands it every response part and connection event.
 *
 * <p>An abstract class rather than an interface so the callbacks stay package-private.
 *
 * <p>Not thread-safe: confined to the backend connection's event loop.
 */
abstract class BackendUser {
  /**
   * A response part: decoded HTTP objects, or on the raw path a {@link RawResponseHead}, {@link
   * ResponseFramer.RawBody} parts and possibly {@link ResponseFramer#MALFORMED_BODY}. The callee
   * owns (and must release) it.
   */
  abstract void onBackendMessage(Object msg);

  /** The end of a read cycle on the backend connection. */
  abstract void onBackendReadComplete();

  /** The backend connection's writability changed. */
  abstract void onBackendWritabilityChanged();

  /** The backend connection was idle for the idle timeout. */
  abstract void onBackendIdle();

  /** The backend connection closed (cause null for an orderly close). */
  abstract void onBackendClosed(Throwable cause);
}
