package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Least response time: the peak-EWMA estimate and the outstanding-request penalty. */
class PeakEwmaTest {
  private static final long MS = 1_000_000L;
  private final FakeTicker ticker = new FakeTicker();
  private final LoadBalancer<Endpoint> lb =
      LoadBalancers.builder(Strategies.peakEwma(Duration.ofSeconds(10), Duration.ofMillis(1)))
          .ticker(ticker)
          .seed(3)
          .build(endpoints(2));

  private void report(String id, long latencyNanos) {
    for (int i = 0; i < 100; i++) {
      Selection<Endpoint> s = lb.pick(RequestContext.empty().excluding(other(id)));
      assertThat(s.endpoint().id()).isEqualTo(id);
      s.onSuccess(latencyNanos);
    }
  }

  private static String other(String id) {
    return id.equals("e0") ? "e1" : "e0";
  }

  private double estimate(String id) {
    return lb.status(id).orElseThrow().latencyEstimateNanos();
  }

  @Test
  void aHigherSampleReplacesTheEstimateAtOnce() {
    assertThat(estimate("e0")).isEqualTo(MS);
    Selection<Endpoint> s = lb.pick(RequestContext.empty().excluding("e1"));
    s.onSuccess(50 * MS);
    assertThat(estimate("e0")).isEqualTo(50 * MS);
  }

  @Test
  void estimateDecaysTowardsZeroWithoutSamples() {
    lb.pick(RequestContext.empty().excluding("e1")).onSuccess(20 * MS);
    ticker.advance(Duration.ofSeconds(10));
    assertThat(estimate("e0")).isCloseTo(20 * MS * Math.exp(-1), within(1.0));
  }

  @Test
  void lowerSamplesBlendInByElapsedTime() {
    lb.pick(RequestContext.empty().excluding("e1")).onSuccess(20 * MS);
    ticker.advance(Duration.ofSeconds(10));
    lb.pick(RequestContext.empty().excluding("e1")).onSuccess(2 * MS);
    double w = Math.exp(-1);
    assertThat(estimate("e0")).isCloseTo(20 * MS * w + 2 * MS * (1 - w), within(1.0));
  }

  @Test
  void aFailureNeverLowersTheEstimate() {
    lb.pick(RequestContext.empty().excluding("e1")).onSuccess(30 * MS);
    ticker.advance(Duration.ofSeconds(1));
    lb.pick(RequestContext.empty().excluding("e1")).onFailure(1000);
    assertThat(estimate("e0")).isEqualTo(30 * MS);
  }

  @Test
  void fasterEndpointWinsWhenIdle() {
    report("e0", 2 * MS);
    report("e1", 20 * MS);
    for (int i = 0; i < 100; i++) {
      Selection<Endpoint> s = lb.pick();
      assertThat(s.endpoint().id()).isEqualTo("e0");
      s.release();
    }
  }

  @Test
  void outstandingRequestsPenaliseTheFastEndpoint() {
    report("e0", 2 * MS);
    report("e1", 21 * MS);
    // cost = estimate x (inFlight + 1): e0 takes requests while 2 x (n + 1) < 21, i.e. 10 of them.
    List<Selection<Endpoint>> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Selection<Endpoint> s = lb.pick();
      assertThat(s.endpoint().id()).isEqualTo("e0");
      held.add(s);
    }
    Selection<Endpoint> next = lb.pick();
    assertThat(next.endpoint().id()).isEqualTo("e1");
    next.release();
    held.forEach(Selection::release);
  }

  @Test
  void picksCompareEstimatesDecayedToTheSameInstant() {
    lb.pick(RequestContext.empty().excluding("e1")).onSuccess(10 * MS);
    ticker.advance(Duration.ofSeconds(20)); // e0 decays to 10 ms x e^-2 = 1.35 ms
    lb.pick(RequestContext.empty().excluding("e0")).onSuccess(3 * MS);
    assertThat(pickedIds(50)).containsOnly("e0");
    ticker.advance(Duration.ofSeconds(10)); // both decay by e^-1: the order stays
    assertThat(pickedIds(50)).containsOnly("e0");
    lb.pick(RequestContext.empty().excluding("e1")).onSuccess(20 * MS); // a peak on e0
    assertThat(pickedIds(50)).containsOnly("e1");
  }

  private java.util.Set<String> pickedIds(int n) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      Selection<Endpoint> s = lb.pick();
      ids.add(s.endpoint().id());
      s.release();
    }
    return ids;
  }

  @Test
  void otherStrategiesDoNotTrackLatency() {
    LoadBalancer<Endpoint> p2c = LoadBalancers.of(Strategies.powerOfTwoChoices(), endpoints(2));
    p2c.pick().onSuccess(5 * MS);
    assertThat(p2c.status("e0").orElseThrow().latencyEstimateNanos()).isEqualTo(-1.0);
  }
}
