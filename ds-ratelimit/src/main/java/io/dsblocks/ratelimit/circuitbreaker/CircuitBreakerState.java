package io.dsblocks.ratelimit.circuitbreaker;

/**
 * The states of a {@link CircuitBreaker}.
 *
 * <p>{@link #CLOSED}, {@link #OPEN} and {@link #HALF_OPEN} are driven automatically by the recorded
 * outcomes; the other three are only entered and left by explicit calls ({@link
 * CircuitBreaker#transitionToDisabled()}, {@link CircuitBreaker#transitionToForcedOpen()}, {@link
 * CircuitBreaker#transitionToMetricsOnly()}), typically from an operator's switch.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum CircuitBreakerState {
  /** Calls flow; outcomes are recorded in the sliding window and may open the breaker. */
  CLOSED(true),
  /** Calls are refused until the open wait elapses; then the breaker moves to half-open. */
  OPEN(false),
  /** A fixed number of trial calls is admitted; their outcome closes or re-opens the breaker. */
  HALF_OPEN(false),
  /** Every call is permitted and nothing is recorded. */
  DISABLED(true),
  /** Every call is refused until another state is chosen explicitly. */
  FORCED_OPEN(false),
  /**
   * Every call is permitted and outcomes are recorded (stats stay live), but the breaker never
   * opens: a shadow mode for tuning thresholds on production traffic.
   */
  METRICS_ONLY(true);

  private final boolean allowsAllCalls;

  CircuitBreakerState(boolean allowsAllCalls) {
    this.allowsAllCalls = allowsAllCalls;
  }

  /**
   * Returns whether every call is permitted in this state.
   *
   * @return {@code true} for {@link #CLOSED}, {@link #DISABLED} and {@link #METRICS_ONLY}
   */
  public boolean allowsAllCalls() {
    return allowsAllCalls;
  }
}
