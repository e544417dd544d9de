package io.dsblocks.ratelimit.circuitbreaker;

import java.time.Duration;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the breaker's state machine, checked by Lincheck: concurrent histories of
 * permission requests, outcome reports, releases, state reads and forced transitions must match
 * some sequential order of the same operations on a fresh breaker.
 *
 * <p>The window (100 calls) is larger than any scenario, so the ring never wraps and every record
 * is a single CAS (see CountWindow). The open wait is far longer than the scenario, so time never
 * moves: the half-open logic is reached through {@code transitionToHalfOpen}, because the moment a
 * breaker opens is stamped by a clock read that cannot be atomic with the trip itself; open-wait
 * expiry is covered deterministically by the unit tests with a manual ticker.
 */
public class CircuitBreakerLincheckTest {
  private static final RuntimeException FAILURE = new IllegalStateException("down");

  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "lincheck",
          CircuitBreakerConfig.builder()
              .countBasedWindow(100)
              .minimumNumberOfCalls(2)
              .failureRateThreshold(50)
              .permittedCallsInHalfOpenState(2)
              .waitDurationInOpenState(Duration.ofDays(1))
              .build(),
          new ManualTicker());

  @Operation
  public boolean tryAcquirePermission() {
    return breaker.tryAcquirePermission();
  }

  @Operation
  public void onSuccess() {
    breaker.onSuccess(1);
  }

  @Operation
  public void onError() {
    breaker.onError(1, FAILURE);
  }

  @Operation
  public void releasePermission() {
    breaker.releasePermission();
  }

  @Operation
  public CircuitBreakerState state() {
    return breaker.state();
  }

  @Operation
  public void transitionToHalfOpen() {
    breaker.transitionToHalfOpen();
  }

  @Operation
  public void transitionToClosed() {
    breaker.transitionToClosed();
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(12)
        .invocationsPerIteration(120)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(3)
        .actorsAfter(2)
        .check(getClass());
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(6)
        .invocationsPerIteration(120)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(3)
        .actorsAfter(2)
        .check(getClass());
  }
}
