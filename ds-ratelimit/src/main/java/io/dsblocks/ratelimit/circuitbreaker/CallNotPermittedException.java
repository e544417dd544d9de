package io.dsblocks.ratelimit.circuitbreaker;

/**
 * Thrown when a {@link CircuitBreaker} refuses a call because it is {@link CircuitBreakerState#OPEN
 * open}, {@link CircuitBreakerState#FORCED_OPEN forced open}, or {@link
 * CircuitBreakerState#HALF_OPEN half-open} with all trial calls taken.
 *
 * <p>The exception carries no stack trace: it is an expected, frequent control-flow signal and
 * filling a stack trace would dominate the cost of refusing a call. Instances are immutable and
 * therefore thread-safe.
 */
public final class CallNotPermittedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String breakerName;
  private final CircuitBreakerState state;

  /**
   * Creates the exception.
   *
   * @param breakerName name of the breaker that refused the call
   * @param state the breaker's state when it refused the call
   */
  public CallNotPermittedException(String breakerName, CircuitBreakerState state) {
    super("Circuit breaker '" + breakerName + "' is " + state + " and does not permit calls");
    this.breakerName = breakerName;
    this.state = state;
  }

  /**
   * Returns the name of the breaker that refused the call.
   *
   * @return the breaker name
   */
  public String breakerName() {
    return breakerName;
  }

  /**
   * Returns the breaker's state when it refused the call.
   *
   * @return the state
   */
  public CircuitBreakerState state() {
    return state;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    // Deliberately stackless (see class comment).
    return this;
  }
}
