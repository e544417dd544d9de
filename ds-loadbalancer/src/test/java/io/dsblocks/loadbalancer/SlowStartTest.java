package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slow start: new and recovering endpoints ramp their weight up over the window. */
class SlowStartTest {
  private final FakeTicker ticker = new FakeTicker();

  private static List<String> picks(LoadBalancer<Endpoint> lb, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Selection<Endpoint> s = lb.pick();
      ids.add(s.endpoint().id());
      s.release();
    }
    return ids;
  }

  private static double share(List<String> picks, String id) {
    return picks.stream().filter(id::equals).count() / (double) picks.size();
  }

  @Test
  void addedEndpointRampsLinearlyOverTheWindow() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.smoothWeightedRoundRobin())
            .ticker(ticker)
            .slowStart(Duration.ofSeconds(10))
            .build(List.of(endpoint("a", 1), endpoint("b", 1)));
    assertThat(lb.status("a").orElseThrow().weightFactor()).isEqualTo(1.0);

    lb.update(List.of(endpoint("a", 1), endpoint("b", 1), endpoint("c", 1)));
    // t = 0: the 10% floor. Weights 100 : 100 : 10 -> c gets 1 pick in 21.
    assertThat(lb.status("c").orElseThrow().weightFactor()).isEqualTo(0.1);
    assertThat(share(picks(lb, 210), "c")).isCloseTo(1 / 21.0, within(1e-9));

    // Weights advance in 20 steps: at t = 5 s the factor is 0.5 -> 100 : 100 : 50.
    ticker.advance(Duration.ofSeconds(5));
    lb.pick().release(); // the first pick after the step rebuilds
    assertThat(lb.status("c").orElseThrow().weightFactor()).isCloseTo(0.5, within(1e-9));
    assertThat(share(picks(lb, 500), "c")).isCloseTo(0.2, within(0.01));

    // After the window: full weight, and the balancer stops reading the ticker on pick.
    ticker.advance(Duration.ofSeconds(5));
    lb.pick().release();
    assertThat(lb.status("c").orElseThrow().weightFactor()).isEqualTo(1.0);
    assertThat(share(picks(lb, 300), "c")).isCloseTo(1 / 3.0, within(0.01));
  }

  @Test
  void weightsStepTwentyTimesAcrossTheWindow() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.weightedRandom())
            .ticker(ticker)
            .seed(1)
            .slowStart(Duration.ofSeconds(20), 1.0, 0.01)
            .build(List.of(endpoint("a", 1)));
    lb.update(List.of(endpoint("a", 1), endpoint("b", 1)));
    double previous = 0;
    for (int step = 1; step <= 20; step++) {
      ticker.advance(Duration.ofSeconds(1));
      lb.pick().release();
      double f = lb.status("b").orElseThrow().weightFactor();
      assertThat(f).isCloseTo(Math.min(1.0, step / 20.0), within(1e-9)).isGreaterThan(previous);
      previous = f;
    }
  }

  @Test
  void aggressionBendsTheRamp() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.powerOfTwoChoices())
            .ticker(ticker)
            .slowStart(Duration.ofSeconds(10), 2.0, 0.1)
            .build(List.of(endpoint("a", 1)));
    lb.update(List.of(endpoint("a", 1), endpoint("b", 4)));
    ticker.advance(Duration.ofMillis(2500));
    lb.pick().release();
    // (t / window)^(1 / aggression) = 0.25^0.5
    assertThat(lb.status("b").orElseThrow().weightFactor()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void endpointMarkedHealthyAgainRampsToo() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.leastRequest())
            .ticker(ticker)
            .slowStart(Duration.ofSeconds(10))
            .build(List.of(endpoint("a", 1), endpoint("b", 1), endpoint("c", 1)));
    lb.setHealthy("c", false);
    ticker.advance(Duration.ofMinutes(1));
    lb.setHealthy("c", true);
    assertThat(lb.status("c").orElseThrow().weightFactor()).isEqualTo(0.1);
    // Least request per weight: with 0 in flight everywhere, c's cost is (0 + 1) / 0.1 = 10, so
    // c is picked only once a and b have 9 or more in flight each.
    List<Selection<Endpoint>> held = new ArrayList<>();
    Map<String, Integer> c = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      Selection<Endpoint> s = lb.pick();
      held.add(s);
      c.merge(s.endpoint().id(), 1, Integer::sum);
    }
    assertThat(c.getOrDefault("c", 0)).isLessThanOrEqualTo(2);
    held.forEach(Selection::release);
  }
}
