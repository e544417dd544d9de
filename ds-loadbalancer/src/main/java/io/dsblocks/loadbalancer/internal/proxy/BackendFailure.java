package io.dsblocks.loadbalancer.internal.proxy;

/**
 * What a circuit breaker is told when an attempt failed without an exception of its own (a timeout,
 * a 5xx status): breakers classify failures by throwable. No stack trace, since it is a signal, not
 * a bug report, and it is created on the request path.
 *
 * <p>Immutable and thread-safe.
 */
final class BackendFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final BackendFailure CONNECT = new BackendFailure("backend connect failed");
  private static final BackendFailure RESET = new BackendFailure("backend closed the connection");
  private static final BackendFailure TIMEOUT = new BackendFailure("backend response timed out");
  private static final BackendFailure BAD = new BackendFailure("backend sent an invalid response");

  private BackendFailure(String message) {
    super(message, null, false, false);
  }

  static BackendFailure of(int kind) {
    switch (kind) {
      case 0:
        return CONNECT;
      case 1:
        return RESET;
      case 2:
        return TIMEOUT;
      default:
        return BAD;
    }
  }

  static BackendFailure status(int status) {
    return new BackendFailure("backend answered " + status);
  }
}
