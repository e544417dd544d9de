package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the per-endpoint lock-free counters, checked by Lincheck: the in-flight count
 * (begin, end that never goes below zero) and the consecutive-failure run with its threshold
 * crossing. {@code crossed} mirrors the outlier detector's rule (run reaches the threshold or a
 * multiple of it): because the run is one atomic increment, exactly one concurrent reporter sees
 * each crossing, which is what makes an ejection trigger exactly once.
 */
public class EndpointStateLincheckTest {
  private static final int THRESHOLD = 2;

  private final EndpointState<Endpoint> state =
      new EndpointState<>(null, Endpoint.of("10.0.0.1", 80), 0, 0);

  @Operation
  public void begin() {
    state.begin();
  }

  @Operation
  public boolean end() {
    return state.end();
  }

  @Operation
  public long inFlight() {
    return state.inFlight();
  }

  @Operation
  public boolean failure() {
    return OutlierDetector.trips(state.recordConsecutiveFailure(), THRESHOLD);
  }

  @Operation
  public void success() {
    state.resetConsecutive();
  }

  @Operation
  public int consecutiveFailures() {
    return state.consecutiveFailures();
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .iterations(6)
        .invocationsPerIteration(80)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2)
        .check(getClass());
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(3)
        .invocationsPerIteration(50)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2)
        .check(getClass());
  }
}
