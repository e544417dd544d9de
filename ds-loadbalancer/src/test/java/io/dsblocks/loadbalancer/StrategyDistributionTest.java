package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoint;
import static io.dsblocks.loadbalancer.TestEndpoints.endpoints;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.loadbalancer.internal.DefaultLoadBalancer;
import io.dsblocks.loadbalancer.internal.EndpointState;
import io.dsblocks.loadbalancer.internal.PowerOfTwoFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** What each strategy picks, checked against its definition. */
class StrategyDistributionTest {

  private static List<String> picks(LoadBalancer<Endpoint> lb, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Selection<Endpoint> s = lb.pick();
      ids.add(s.endpoint().id());
      s.release();
    }
    return ids;
  }

  private static Map<String, Integer> counts(List<String> ids) {
    Map<String, Integer> m = new HashMap<>();
    ids.forEach(id -> m.merge(id, 1, Integer::sum));
    return m;
  }

  @Test
  void roundRobinVisitsEveryEndpointInMemberOrder() {
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.roundRobin(), endpoints(4));
    assertThat(picks(lb, 8)).containsExactly("e0", "e1", "e2", "e3", "e0", "e1", "e2", "e3");
  }

  @Test
  void roundRobinIgnoresWeightsButSkipsDrainedEndpoints() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.of(
            Strategies.roundRobin(), List.of(endpoint("a", 5), endpoint("b", 0), endpoint("c", 1)));
    assertThat(picks(lb, 4)).containsExactly("a", "c", "a", "c");
  }

  @Test
  void smoothWeightedRoundRobinInterleavesFiveOneOne() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.of(
            Strategies.smoothWeightedRoundRobin(),
            List.of(endpoint("a", 5), endpoint("b", 1), endpoint("c", 1)));
    // NGINX's documented sequence for weights 5, 1, 1, over two full cycles.
    assertThat(picks(lb, 14))
        .containsExactly("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a");
  }

  @Test
  void smoothWeightedRoundRobinReducesWeightsByTheirGcd() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.of(
            Strategies.smoothWeightedRoundRobin(),
            List.of(endpoint("a", 500), endpoint("b", 100), endpoint("c", 100)));
    assertThat(picks(lb, 7)).containsExactly("a", "a", "b", "a", "c", "a", "a");
  }

  /**
   * Over one cycle every endpoint is picked exactly {@code weight} times, and at every prefix of
   * the cycle each endpoint's count stays within 1.5 of its ideal share {@code t × w / W} (a bursty
   * weighted round robin such as "a × w_a, then b × w_b" breaks that bound as soon as a weight
   * reaches 3).
   */
  @Property(tries = 200, seed = "42")
  void smoothWeightedRoundRobinIsExactAndSmooth(
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 30) Integer> weights) {
    List<Endpoint> eps = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < weights.size(); i++) {
      eps.add(endpoint("e" + i, weights.get(i)));
      total += weights.get(i);
    }
    // Weights sharing a factor have a shorter cycle; compare over the full sum anyway (a whole
    // number of reduced cycles).
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.smoothWeightedRoundRobin(), eps);
    int[] count = new int[eps.size()];
    double worst = 0;
    for (int t = 1; t <= total; t++) {
      Selection<Endpoint> s = lb.pick();
      s.release();
      count[Integer.parseInt(s.endpoint().id().substring(1))]++;
      for (int i = 0; i < count.length; i++) {
        worst = Math.max(worst, Math.abs(count[i] - (double) t * weights.get(i) / total));
      }
    }
    for (int i = 0; i < count.length; i++) {
      assertThat(count[i]).as("picks of e%d over one cycle", i).isEqualTo(weights.get(i));
    }
    assertThat(worst).as("largest deviation from the ideal share").isLessThanOrEqualTo(1.5);
  }

  @Test
  void weightedRandomFollowsWeights() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.weightedRandom())
            .seed(7)
            .build(List.of(endpoint("a", 6), endpoint("b", 3), endpoint("c", 1)));
    Map<String, Integer> c = counts(picks(lb, 100_000));
    // Binomial standard deviation at p = 0.1 over 100k draws is ~95: 1% is > 10 sigma.
    assertThat(c.get("a") / 100_000.0).isCloseTo(0.6, org.assertj.core.data.Offset.offset(0.01));
    assertThat(c.get("b") / 100_000.0).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.01));
    assertThat(c.get("c") / 100_000.0).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void randomIsUniformAndSeedMakesItReproducible() {
    LoadBalancer<Endpoint> one =
        LoadBalancers.builder(Strategies.random()).seed(3).build(endpoints(5));
    LoadBalancer<Endpoint> two =
        LoadBalancers.builder(Strategies.random()).seed(3).build(endpoints(5));
    List<String> a = picks(one, 50_000);
    assertThat(picks(two, 50_000)).isEqualTo(a);
    counts(a)
        .values()
        .forEach(
            n ->
                assertThat(n / 50_000.0).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.01)));
  }

  /** Exact least request: whatever the in-flight counts, the pick has the fewest per weight. */
  @Property(tries = 300, seed = "11")
  void leastRequestPicksTheMinimum(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 20) Integer> inFlight,
      @ForAll @Size(min = 12, max = 12) List<@IntRange(min = 1, max = 4) Integer> weights,
      @ForAll boolean weighted) {
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < inFlight.size(); i++) {
      eps.add(endpoint("e" + i, weighted ? weights.get(i) : 1));
    }
    DefaultLoadBalancer<Endpoint> lb =
        (DefaultLoadBalancer<Endpoint>)
            LoadBalancers.builder(Strategies.leastRequest()).seed(inFlight.hashCode()).build(eps);
    List<EndpointState<Endpoint>> states = lb.states();
    for (int i = 0; i < inFlight.size(); i++) {
      for (int k = 0; k < inFlight.get(i); k++) {
        states.get(i).begin();
      }
    }
    double best = Double.MAX_VALUE;
    for (int i = 0; i < inFlight.size(); i++) {
      best = Math.min(best, (inFlight.get(i) + 1.0) / eps.get(i).weight());
    }
    Selection<Endpoint> s = lb.pick();
    int chosen = Integer.parseInt(s.endpoint().id().substring(1));
    assertThat((inFlight.get(chosen) + 1.0) / eps.get(chosen).weight()).isEqualTo(best);
  }

  @Test
  void powerOfTwoChoicesNeverSamplesTheSameEndpointTwice() {
    AtomicInteger decisions = new AtomicInteger();
    List<String> violations = new ArrayList<>();
    Strategy instrumented =
        new Strategy(
            "p2c-instrumented",
            new PowerOfTwoFactory(
                (i, j, n) -> {
                  decisions.incrementAndGet();
                  if (i == j || i < 0 || j < 0 || i >= n || j >= n) {
                    violations.add(i + "," + j + " of " + n);
                  }
                }));
    for (int n : new int[] {2, 3, 7, 100}) {
      LoadBalancer<Endpoint> lb = LoadBalancers.builder(instrumented).seed(n).build(endpoints(n));
      for (int k = 0; k < 20_000; k++) {
        lb.pick().release();
      }
    }
    assertThat(decisions.get()).isEqualTo(80_000);
    assertThat(violations).isEmpty();
  }

  @Test
  void powerOfTwoChoicesWithTwoEndpointsAlwaysTakesTheLessLoaded() {
    DefaultLoadBalancer<Endpoint> lb =
        (DefaultLoadBalancer<Endpoint>)
            LoadBalancers.builder(Strategies.powerOfTwoChoices()).seed(1).build(endpoints(2));
    lb.states().get(0).begin();
    // Distinct sampling means both are compared every time: e1 (0 in flight) always wins. With
    // replacement, a quarter of the decisions would compare e0 with itself.
    for (int k = 0; k < 1000; k++) {
      Selection<Endpoint> s = lb.pick();
      assertThat(s.endpoint().id()).isEqualTo("e1");
      s.release();
    }
  }

  /**
   * A discrete-time simulation: 20 endpoints, 10 new requests per tick, each lasting a random
   * (geometric, mean 20 ticks) time. Power of two choices keeps the busiest endpoint much closer to
   * the mean than random choice does.
   */
  @Test
  void powerOfTwoChoicesBeatsRandomOnLoadSkew() {
    double random = meanExcessOfBusiest(Strategies.random());
    double p2c = meanExcessOfBusiest(Strategies.powerOfTwoChoices());
    double exact = meanExcessOfBusiest(Strategies.leastRequest());
    assertThat(p2c).isLessThan(random / 2);
    assertThat(exact).isLessThanOrEqualTo(p2c);
  }

  private static double meanExcessOfBusiest(Strategy strategy) {
    int n = 20;
    DefaultLoadBalancer<Endpoint> lb =
        (DefaultLoadBalancer<Endpoint>)
            LoadBalancers.builder(strategy).seed(99).build(endpoints(n));
    SplittableRandom durations = new SplittableRandom(5);
    PriorityQueue<long[]> ends = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    Map<Long, Selection<Endpoint>> open = new HashMap<>();
    long id = 0;
    double excess = 0;
    int ticks = 3000;
    for (int t = 0; t < ticks; t++) {
      while (!ends.isEmpty() && ends.peek()[0] <= t) {
        open.remove(ends.poll()[1]).onSuccess(1);
      }
      for (int k = 0; k < 10; k++) {
        Selection<Endpoint> s = lb.pick();
        int d = 1;
        while (durations.nextInt(20) != 0) {
          d++;
        }
        open.put(id, s);
        ends.add(new long[] {t + d, id++});
      }
      if (t >= 500) {
        long max = 0;
        long sum = 0;
        for (EndpointState<Endpoint> st : lb.states()) {
          max = Math.max(max, st.inFlight());
          sum += st.inFlight();
        }
        excess += max - (double) sum / n;
      }
    }
    return excess / (ticks - 500);
  }
}
