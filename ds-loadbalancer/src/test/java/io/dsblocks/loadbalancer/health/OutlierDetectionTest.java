package io.dsblocks.loadbalancer.health;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoints;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.FakeTicker;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.Selection;
import io.dsblocks.loadbalancer.Strategies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Passive outlier detection: consecutive failures/5xx, success rate, backoff, max percentage. */
class OutlierDetectionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new ArrayList<>();
  private final LoadBalancerListener recorder =
      new LoadBalancerListener() {
        @Override
        public void onEndpointEjected(
            String lb, Endpoint e, EjectionReason reason, long nanos, int count) {
          events.add(
              "ejected " + e.id() + " " + reason + " " + nanos / 1_000_000_000L + "s #" + count);
        }

        @Override
        public void onEndpointReturned(String lb, Endpoint e) {
          events.add("returned " + e.id());
        }
      };

  private LoadBalancer<Endpoint> balancer(int n, OutlierDetection od) {
    return LoadBalancers.builder(Strategies.roundRobin())
        .name("api")
        .ticker(ticker)
        .outlierDetection(od)
        .listener(recorder)
        .build(endpoints(n));
  }

  private static OutlierDetection.Builder consecutiveOnly() {
    return OutlierDetection.builder()
        .consecutiveFailures(5)
        .consecutive5xx(3)
        .successRate(false)
        .interval(Duration.ofSeconds(10))
        .baseEjectionTime(Duration.ofSeconds(30))
        .maxEjectionTime(Duration.ofSeconds(100))
        .maxEjectionPercent(20);
  }

  /** Picks a given endpoint by excluding all the others. */
  private static Selection<Endpoint> on(LoadBalancer<Endpoint> lb, String id) {
    RequestContext ctx = RequestContext.empty();
    for (Endpoint e : lb.endpoints()) {
      if (!e.id().equals(id)) {
        ctx = ctx.excluding(e.id());
      }
    }
    Selection<Endpoint> s = lb.pick(ctx);
    assertThat(s.endpoint().id()).isEqualTo(id);
    return s;
  }

  private static boolean ejected(LoadBalancer<Endpoint> lb, String id) {
    return lb.status(id).orElseThrow().ejected();
  }

  private static void fail(LoadBalancer<Endpoint> lb, String id, int times) {
    for (int i = 0; i < times; i++) {
      on(lb, id).onFailure(1000);
    }
  }

  @Test
  void consecutiveFailuresEjectAtTheThresholdAndSuccessResetsTheRun() {
    LoadBalancer<Endpoint> lb = balancer(10, consecutiveOnly().build());
    fail(lb, "e0", 4);
    on(lb, "e0").onSuccess(1000);
    fail(lb, "e0", 4);
    assertThat(ejected(lb, "e0")).isFalse();
    fail(lb, "e0", 1);
    assertThat(ejected(lb, "e0")).isTrue();
    assertThat(events).containsExactly("ejected e0 CONSECUTIVE_FAILURES 30s #1");
    for (int i = 0; i < 90; i++) {
      Selection<Endpoint> s = lb.pick();
      assertThat(s.endpoint().id()).isNotEqualTo("e0");
      s.release();
    }
  }

  @Test
  void consecutive5xxCountsOnlyServerErrors() {
    LoadBalancer<Endpoint> lb = balancer(10, consecutiveOnly().build());
    on(lb, "e1").onResponse(503, 1000);
    on(lb, "e1").onResponse(500, 1000);
    on(lb, "e1").onResponse(404, 1000); // a non-5xx response ends the run
    on(lb, "e1").onResponse(502, 1000);
    on(lb, "e1").onResponse(503, 1000);
    on(lb, "e1").onFailure(1000); // a local failure neither counts nor resets the 5xx run
    assertThat(ejected(lb, "e1")).isFalse();
    on(lb, "e1").onResponse(504, 1000);
    assertThat(ejected(lb, "e1")).isTrue();
    assertThat(events).containsExactly("ejected e1 CONSECUTIVE_5XX 30s #1");
  }

  @Test
  void ejectionTimeGrowsWithEachEjectionUpToTheCap() {
    LoadBalancer<Endpoint> lb = balancer(10, consecutiveOnly().build());
    long[] expectedSeconds = {30, 60, 90, 100, 100};
    for (long seconds : expectedSeconds) {
      fail(lb, "e0", 5);
      assertThat(ejected(lb, "e0")).isTrue();
      // Still ejected just before the time is up (ticks happen on reports, here on e1)...
      ticker.advance(Duration.ofSeconds(seconds - 1));
      on(lb, "e1").onSuccess(1000);
      assertThat(ejected(lb, "e0")).isTrue();
      // ...and back at the first tick after it.
      ticker.advance(Duration.ofSeconds(10));
      on(lb, "e1").onSuccess(1000);
      assertThat(ejected(lb, "e0")).isFalse();
    }
    assertThat(events)
        .containsExactly(
            "ejected e0 CONSECUTIVE_FAILURES 30s #1",
            "returned e0",
            "ejected e0 CONSECUTIVE_FAILURES 60s #2",
            "returned e0",
            "ejected e0 CONSECUTIVE_FAILURES 90s #3",
            "returned e0",
            "ejected e0 CONSECUTIVE_FAILURES 100s #4",
            "returned e0",
            "ejected e0 CONSECUTIVE_FAILURES 100s #5",
            "returned e0");
  }

  @Test
  void backoffDecaysWhileTheEndpointStaysIn() {
    LoadBalancer<Endpoint> lb = balancer(10, consecutiveOnly().build());
    fail(lb, "e0", 5);
    ticker.advance(Duration.ofSeconds(31));
    on(lb, "e1").onSuccess(1000); // tick: returns e0
    fail(lb, "e0", 5);
    assertThat(lb.status("e0").orElseThrow().ejectionCount()).isEqualTo(2);
    ticker.advance(Duration.ofSeconds(61));
    on(lb, "e1").onSuccess(1000); // returns e0
    for (int i = 0; i < 2; i++) { // two ticks with e0 in: the count drops by one each
      ticker.advance(Duration.ofSeconds(10));
      on(lb, "e1").onSuccess(1000);
    }
    assertThat(lb.status("e0").orElseThrow().ejectionCount()).isZero();
    fail(lb, "e0", 5);
    assertThat(events).last().isEqualTo("ejected e0 CONSECUTIVE_FAILURES 30s #1");
  }

  @Test
  void maxEjectionPercentLimitsSimultaneousEjections() {
    LoadBalancer<Endpoint> lb = balancer(10, consecutiveOnly().build()); // 20% of 10 = 2
    fail(lb, "e0", 5);
    fail(lb, "e1", 5);
    fail(lb, "e2", 5);
    assertThat(ejected(lb, "e0")).isTrue();
    assertThat(ejected(lb, "e1")).isTrue();
    assertThat(ejected(lb, "e2")).isFalse();
    ticker.advance(Duration.ofSeconds(31));
    on(lb, "e3").onSuccess(1000); // both return
    fail(lb, "e2", 5); // e2's run reaches 10: a multiple of the threshold retries the ejection
    assertThat(ejected(lb, "e2")).isTrue();
  }

  @Test
  void oneEjectionIsAlwaysAllowedAndZeroPercentDisablesEjection() {
    LoadBalancer<Endpoint> three = balancer(3, consecutiveOnly().maxEjectionPercent(10).build());
    fail(three, "e0", 5);
    fail(three, "e1", 5);
    assertThat(ejected(three, "e0")).isTrue();
    assertThat(ejected(three, "e1")).isFalse();
    LoadBalancer<Endpoint> none = balancer(3, consecutiveOnly().maxEjectionPercent(0).build());
    fail(none, "e0", 20);
    assertThat(ejected(none, "e0")).isFalse();
  }

  private static OutlierDetection successRateOnly(int minHosts) {
    return OutlierDetection.builder()
        .consecutiveFailures(0)
        .consecutive5xx(0)
        .successRate(minHosts, 50, 1.9)
        .interval(Duration.ofSeconds(10))
        .maxEjectionPercent(50)
        .build();
  }

  private void interval(LoadBalancer<Endpoint> lb, int[] failures, int requests) {
    for (int i = 0; i < failures.length; i++) {
      for (int r = 0; r < requests; r++) {
        if (r < failures[i]) {
          on(lb, "e" + i).onResponse(500, 1000);
        } else {
          on(lb, "e" + i).onResponse(200, 1000);
        }
      }
    }
  }

  @Test
  void successRateOutlierIsEjectedAtTheIntervalTick() {
    LoadBalancer<Endpoint> lb = balancer(6, successRateOnly(5));
    interval(lb, new int[] {1, 1, 2, 1, 2, 30}, 100);
    assertThat(ejected(lb, "e5")).isFalse(); // judged only at the tick
    ticker.advance(Duration.ofSeconds(10));
    on(lb, "e0").onSuccess(1000);
    assertThat(ejected(lb, "e5")).isTrue();
    assertThat(events).containsExactly("ejected e5 SUCCESS_RATE 30s #1");
    for (int i = 0; i < 5; i++) {
      assertThat(ejected(lb, "e" + i)).isFalse();
    }
  }

  @Test
  void successRateNeedsEnoughHostsWithEnoughVolume() {
    LoadBalancer<Endpoint> fewHosts = balancer(6, successRateOnly(6));
    // e5 has only 40 requests (< 50): 5 judged hosts, below the minimum of 6.
    interval(fewHosts, new int[] {1, 1, 2, 1, 2}, 100);
    for (int r = 0; r < 40; r++) {
      on(fewHosts, "e5").onResponse(500, 1000);
    }
    ticker.advance(Duration.ofSeconds(10));
    on(fewHosts, "e0").onSuccess(1000);
    assertThat(events).isEmpty();
    // Counts restart every interval: the next one judges only its own requests.
    interval(fewHosts, new int[] {0, 0, 0, 0, 0, 0}, 60);
    ticker.advance(Duration.ofSeconds(10));
    on(fewHosts, "e0").onSuccess(1000);
    assertThat(events).isEmpty();
  }

  @Test
  void aThrowingListenerDoesNotBreakEjection() {
    LoadBalancer<Endpoint> lb = balancer(10, consecutiveOnly().build());
    lb.addListener(
        new LoadBalancerListener() {
          @Override
          public void onEndpointEjected(
              String b, Endpoint e, EjectionReason r, long nanos, int count) {
            throw new IllegalStateException("boom");
          }
        });
    fail(lb, "e4", 5);
    assertThat(ejected(lb, "e4")).isTrue();
    assertThat(events).hasSize(1);
  }
}
