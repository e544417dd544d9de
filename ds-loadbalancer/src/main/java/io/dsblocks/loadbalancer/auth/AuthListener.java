package io.dsblocks.loadbalancer.auth;

/**
 * Receives the decisions of an {@link AuthPolicy}, for audit logs and metrics. Both methods have
 * empty defaults. A policy without a listener does no extra work.
 *
 * <p>Callbacks run synchronously on the thread that evaluated the request (a proxy I/O thread):
 * they must be fast and must not block. An exception thrown by a listener is caught and ignored.
 * Implementations must be thread-safe.
 */
public interface AuthListener {
  /**
   * A request was allowed.
   *
   * @param request the request
   * @param result the result, with the principal
   */
  default void onAllowed(AuthRequest request, AuthResult result) {}

  /**
   * A request was denied.
   *
   * @param request the request
   * @param result the result, with status and reason
   */
  default void onDenied(AuthRequest request, AuthResult result) {}
}
