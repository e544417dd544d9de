package io.dsblocks.ratelimit.circuitbreaker;

/**
 * Receives a {@link CircuitBreaker}'s events. Every method has an empty default, so implement only
 * what you need.
 *
 * <p>Callbacks run synchronously on the thread that caused the event (the caller of {@code
 * onSuccess}, {@code tryAcquirePermission}, ...), so they must be fast and must not block. An
 * exception thrown by a listener is caught and ignored so that it cannot break the protected call.
 * Implementations must be thread-safe: callbacks arrive concurrently from all calling threads.
 *
 * <p>Durations are as reported to the breaker: decorated calls report {@code 0} when the breaker
 * does not {@link CircuitBreaker#recordsCallDurations() record call durations} (slow-call detection
 * off), because they skip timing the call.
 *
 * <p>While no listener is registered the breaker skips event dispatch entirely, so the per-call
 * hooks cost nothing.
 */
public interface CircuitBreakerListener {

  /**
   * Called after the breaker changed state.
   *
   * @param breakerName the breaker
   * @param from the previous state
   * @param to the new state
   */
  default void onStateTransition(
      String breakerName, CircuitBreakerState from, CircuitBreakerState to) {}

  /**
   * Called when a permitted call succeeded (or failed with an exception that is not recorded).
   *
   * @param breakerName the breaker
   * @param durationNanos the call's duration as reported ({@code 0} from decorators when the
   *     breaker does not {@link CircuitBreaker#recordsCallDurations() record call durations})
   * @param slow whether the duration reached the slow-call threshold
   */
  default void onSuccess(String breakerName, long durationNanos, boolean slow) {}

  /**
   * Called when a permitted call failed with a recorded exception.
   *
   * @param breakerName the breaker
   * @param durationNanos the call's duration as reported
   * @param error the failure
   */
  default void onError(String breakerName, long durationNanos, Throwable error) {}

  /**
   * Called when a call failed with an exception matched by the ignore predicate; it counts as
   * neither success nor failure.
   *
   * @param breakerName the breaker
   * @param durationNanos the call's duration as reported
   * @param error the ignored exception
   */
  default void onIgnoredError(String breakerName, long durationNanos, Throwable error) {}

  /**
   * Called when the breaker refused a call.
   *
   * @param breakerName the breaker
   * @param state the state that refused it
   */
  default void onCallNotPermitted(String breakerName, CircuitBreakerState state) {}
}
