package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoint;
import static io.dsblocks.loadbalancer.TestEndpoints.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Zone preference, panic mode, exclusions for retries, runtime updates. */
class ZonePanicAndExclusionTest {

  private static Set<String> picked(Picker<Endpoint> lb, int n) {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      Selection<Endpoint> s = lb.pick();
      ids.add(s.endpoint().id());
      s.release();
    }
    return ids;
  }

  private static List<Endpoint> twoZones() {
    return List.of(
        endpoint("a1", 1, "a"),
        endpoint("a2", 1, "a"),
        endpoint("a3", 1, "a"),
        endpoint("b1", 1, "b"),
        endpoint("b2", 1, "b"),
        endpoint("b3", 1, "b"));
  }

  @Test
  void localZoneIsPreferredWhileEnoughOfItIsAvailable() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.roundRobin()).localZone("a", 0.6).build(twoZones());
    assertThat(picked(lb, 30)).containsExactlyInAnyOrder("a1", "a2", "a3");
    lb.setHealthy("a1", false); // 2 of 3 = 0.67 >= 0.6: stay local
    assertThat(picked(lb, 30)).containsExactlyInAnyOrder("a2", "a3");
    lb.setHealthy("a2", false); // 1 of 3 < 0.6: spill to every available endpoint
    assertThat(picked(lb, 30)).containsExactlyInAnyOrder("a3", "b1", "b2", "b3");
    lb.setHealthy("a1", true);
    lb.setHealthy("a2", true);
    assertThat(picked(lb, 30)).containsExactlyInAnyOrder("a1", "a2", "a3");
  }

  @Test
  void panicSpreadsOverEveryEndpointWhenTooFewAreHealthy() {
    List<String> events = new ArrayList<>();
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.roundRobin())
            .name("api")
            .panicThreshold(0.5)
            .listener(
                new LoadBalancerListener() {
                  @Override
                  public void onPanicEntered(String balancer, double share) {
                    events.add("enter " + balancer + " " + share);
                  }

                  @Override
                  public void onPanicLeft(String balancer, double share) {
                    events.add("leave " + balancer + " " + share);
                  }
                })
            .build(endpoints(4));
    lb.setHealthy("e0", false);
    lb.setHealthy("e1", false); // 50% healthy: not below the threshold
    assertThat(lb.inPanic()).isFalse();
    assertThat(picked(lb, 20)).containsExactlyInAnyOrder("e2", "e3");
    lb.setHealthy("e2", false); // 25%: panic, balance over all four
    assertThat(lb.inPanic()).isTrue();
    assertThat(lb.healthyShare()).isEqualTo(0.25);
    assertThat(picked(lb, 20)).containsExactlyInAnyOrder("e0", "e1", "e2", "e3");
    assertThat(lb.status("e0").orElseThrow().available()).isTrue();
    lb.setHealthy("e2", true);
    assertThat(lb.inPanic()).isFalse();
    assertThat(picked(lb, 20)).containsExactlyInAnyOrder("e2", "e3");
    assertThat(events).containsExactly("enter api 0.25", "leave api 0.5");
  }

  @Test
  void withoutPanicAllUnhealthyMeansNothingToPick() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.powerOfTwoChoices())
            .name("orders")
            .panicThreshold(0)
            .build(endpoints(2));
    lb.setHealthy("e0", false);
    lb.setHealthy("e1", false);
    assertThat(lb.tryPick(RequestContext.empty())).isNull();
    assertThatThrownBy(lb::pick)
        .isInstanceOf(NoEndpointAvailableException.class)
        .hasMessageContaining("'orders'")
        .hasMessageContaining("2 endpoints, 2 with weight above 0, 0 healthy and not ejected");
  }

  @Test
  void drainedEndpointsAreNeverPicked() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.of(
            Strategies.powerOfTwoChoices(), List.of(endpoint("a", 0), endpoint("b", 2)));
    assertThat(picked(lb, 50)).containsExactly("b");
    lb.update(List.of(endpoint("a", 0), endpoint("b", 0)));
    assertThatThrownBy(lb::pick).isInstanceOf(NoEndpointAvailableException.class);
  }

  @Test
  void exclusionSendsARetryElsewhereForEveryStrategy() {
    for (Strategy s :
        List.of(
            Strategies.roundRobin(),
            Strategies.smoothWeightedRoundRobin(),
            Strategies.random(),
            Strategies.weightedRandom(),
            Strategies.leastRequest(),
            Strategies.powerOfTwoChoices(),
            Strategies.peakEwma(),
            Strategies.ringHash(),
            Strategies.maglev(),
            Strategies.boundedLoadHash(1.25),
            Strategies.ipHash())) {
      LoadBalancer<Endpoint> lb = LoadBalancers.of(s, endpoints(3));
      for (int k = 0; k < 30; k++) {
        RequestContext ctx = RequestContext.ofKey("k" + k);
        Selection<Endpoint> first = lb.pick(ctx);
        RequestContext retry = ctx.excluding(first.endpoint().id());
        Selection<Endpoint> second = lb.pick(retry);
        RequestContext third = retry.excluding(second.endpoint().id());
        Selection<Endpoint> last = lb.pick(third);
        assertThat(second.endpoint()).as(s.name()).isNotEqualTo(first.endpoint());
        assertThat(last.endpoint())
            .as(s.name())
            .isNotEqualTo(first.endpoint())
            .isNotEqualTo(second.endpoint());
        // Everything excluded: the strategy's own choice rather than nothing.
        assertThat(lb.tryPick(third.excluding(last.endpoint().id()))).isNotNull();
        first.release();
        second.release();
        last.release();
      }
    }
  }

  @Test
  void updateKeepsCountersOfKeptEndpointsAndWeightsChangeAtRuntime() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.of(
            Strategies.smoothWeightedRoundRobin(), List.of(endpoint("a", 1), endpoint("b", 1)));
    Selection<Endpoint> held = lb.pick();
    String heldId = held.endpoint().id();
    lb.update(List.of(endpoint("a", 3), endpoint("b", 1), endpoint("c", 1)));
    assertThat(lb.status(heldId).orElseThrow().inFlight()).isEqualTo(1);
    assertThat(lb.endpoints()).extracting(Endpoint::weight).containsExactly(3, 1, 1);
    held.onSuccess(1000);
    assertThat(lb.status(heldId).orElseThrow().inFlight()).isZero();
    // Removed while in flight: reporting afterwards is harmless.
    Selection<Endpoint> onC = null;
    for (int i = 0; i < 5 && onC == null; i++) {
      Selection<Endpoint> s = lb.pick();
      if (s.endpoint().id().equals("c")) {
        onC = s;
      } else {
        s.release();
      }
    }
    assertThat(onC).isNotNull();
    lb.update(List.of(endpoint("a", 3), endpoint("b", 1)));
    onC.onFailure(5);
    assertThat(lb.status("c")).isEmpty();
    assertThat(lb.endpoints()).extracting(Endpoint::id).containsExactly("a", "b");
  }

  @Test
  void duplicateReportsNeverDriveTheCountBelowZero() {
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.leastRequest(), endpoints(1));
    Selection<Endpoint> s = lb.pick();
    s.onSuccess(1);
    s.onSuccess(1);
    s.release();
    assertThat(lb.status("e0").orElseThrow().inFlight()).isZero();
  }
}
