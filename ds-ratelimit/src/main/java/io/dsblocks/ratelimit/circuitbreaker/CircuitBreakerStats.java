package io.dsblocks.ratelimit.circuitbreaker;

/**
 * A point-in-time snapshot of a {@link CircuitBreaker}'s window and counters.
 *
 * <p>The window figures describe the sliding window of the current closed (or metrics-only) period,
 * or the trial calls while half-open. Under concurrent updates the figures are read without a lock,
 * so they may mix calls recorded a moment apart; each is individually exact. Instances are
 * immutable and therefore thread-safe.
 *
 * @param state the state when the snapshot was taken
 * @param bufferedCalls calls in the window
 * @param failedCalls failed calls in the window
 * @param slowCalls slow calls in the window (successful or failed)
 * @param failureRate failed calls as a percentage of buffered calls, or {@code -1} while fewer than
 *     the minimum number of calls are buffered
 * @param slowCallRate slow calls as a percentage of buffered calls, or {@code -1} while fewer than
 *     the minimum number of calls are buffered
 * @param notPermittedCalls calls refused since the breaker was created
 */
public record CircuitBreakerStats(
    CircuitBreakerState state,
    long bufferedCalls,
    long failedCalls,
    long slowCalls,
    float failureRate,
    float slowCallRate,
    long notPermittedCalls) {}
