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

  /** Failure kinds of one backend attempt, shared by {@code Exchange} and {@code BackendFetch}. */
  static final int CONNECT_KIND = 0;

  static final int RESET_KIND = 1;
  static final int TIMEOUT_KIND = 2;
  static final int BAD_RESPONSE_KIND = 3;

  private BackendFailure(String message) {
    super(message, null, false, false);
  }

  static BackendFailure of(int kind) {
    switch (kind) {
      case CONNECT_KIND:
        return CONNECT;
      case RESET_KIND:
        return RESET;
      case TIMEOUT_KIND:
        return TIMEOUT;
      default:
        return BAD;
    }
  }

  /** The status answered to the client when the last attempt failed this way. */
  static int clientStatus(int kind) {
    return kind == TIMEOUT_KIND ? 504 : 502;
  }

  /** The access-log reason of a failed attempt. */
  static String reason(int kind) {
    switch (kind) {
      case CONNECT_KIND:
        return "connect_failed";
      case TIMEOUT_KIND:
        return "backend_timeout";
      case RESET_KIND:
        return "backend_reset";
      default:
        return "bad_response";
    }
  }

  static BackendFailure status(int status) {
    return new BackendFailure("backend answered " + status);
  }
}
