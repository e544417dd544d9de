package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoint;
import static io.dsblocks.loadbalancer.TestEndpoints.endpoints;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.health.HealthChecker;
import io.dsblocks.loadbalancer.health.HealthChecks;
import io.dsblocks.loadbalancer.health.OutlierDetection;
import io.dsblocks.loadbalancer.pool.Pools;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Bad input fails at build time with the field, the value and the allowed range. */
class BadConfigTest {

  private static void rejects(ThrowingCallable call, String... parts) {
    var a = assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class);
    for (String p : parts) {
      a.hasMessageContaining(p);
    }
  }

  @Test
  void endpointValues() {
    rejects(() -> Endpoint.of("", 80), "host", "must not be empty");
    rejects(() -> Endpoint.of("h", 0), "port of endpoint 'h:0'", "[1, 65535]", "was 0");
    rejects(() -> Endpoint.of("h", 70000), "[1, 65535]", "was 70000");
    rejects(
        () -> Endpoint.builder().host("h").port(1).weight(-1).build(),
        "weight of endpoint 'h:1'",
        "[0, 1000000]",
        "was -1");
    rejects(() -> Endpoint.builder().id("").host("h").port(1).build(), "id must not be empty");
    assertThatThrownBy(() -> Endpoint.builder().port(1).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("host");
  }

  @Test
  void userEndpointImplementationsAreValidatedToo() {
    Endpoint bad =
        new Endpoint() {
          @Override
          public String id() {
            return "mine";
          }

          @Override
          public String host() {
            return "h";
          }

          @Override
          public int port() {
            return 8080;
          }

          @Override
          public int weight() {
            return -3;
          }
        };
    rejects(
        () -> LoadBalancers.of(Strategies.random(), List.of(bad)),
        "weight of endpoint 'mine'",
        "was -3");
  }

  @Test
  void balancer() {
    rejects(
        () -> LoadBalancers.builder(Strategies.roundRobin()).name("api").build(List.of()),
        "endpoints of load balancer 'api' must not be empty");
    rejects(
        () ->
            LoadBalancers.of(Strategies.roundRobin(), List.of(endpoint("a", 1), endpoint("a", 2))),
        "duplicate endpoint id 'a'");
    rejects(
        () ->
            LoadBalancers.builder(Strategies.roundRobin()).panicThreshold(1.5).build(endpoints(1)),
        "panicThreshold",
        "[0.0, 1.0]",
        "1.5");
    rejects(
        () -> LoadBalancers.builder(Strategies.roundRobin()).localZone("a", 0).build(endpoints(1)),
        "minAvailableShare",
        "(0.0, 1.0]",
        "was 0.0");
    rejects(
        () ->
            LoadBalancers.builder(Strategies.roundRobin())
                .slowStart(Duration.ofSeconds(5))
                .build(endpoints(1)),
        "slowStart needs a weighted strategy",
        "was roundRobin");
    rejects(
        () ->
            LoadBalancers.builder(Strategies.powerOfTwoChoices())
                .slowStart(Duration.ofHours(2))
                .build(endpoints(1)),
        "slowStart window",
        "PT2H");
    rejects(
        () ->
            LoadBalancers.builder(Strategies.powerOfTwoChoices())
                .slowStart(Duration.ofSeconds(1), 20, 0.1)
                .build(endpoints(1)),
        "aggression",
        "[0.1, 10.0]",
        "20.0");
    rejects(
        () ->
            LoadBalancers.builder(Strategies.powerOfTwoChoices())
                .slowStart(Duration.ofSeconds(1), 1, 0)
                .build(endpoints(1)),
        "minFactor",
        "(0.0, 1.0]");
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.roundRobin(), endpoints(2));
    rejects(() -> lb.update(List.of()), "must not be empty");
    rejects(() -> lb.pick().onResponse(42, 0), "status", "[100, 599]", "42");
    rejects(() -> lb.pick().onSuccess(-1), "latencyNanos", ">= 0", "-1");
  }

  @Test
  void strategies() {
    rejects(() -> Strategies.ringHash(0), "pointsPerWeight", "[1, 100000]", "was 0");
    rejects(() -> Strategies.maglev(65536), "maglevTableSize must be prime", "65536");
    rejects(() -> Strategies.boundedLoadHash(0.9), "capacityFactor", "[1.0, 100.0]", "0.9");
    rejects(
        () -> Strategies.peakEwma(Duration.ZERO, Duration.ofMillis(1)),
        "decay",
        "PT0.001S",
        "PT0S");
    rejects(
        () -> Strategies.peakEwma(Duration.ofSeconds(1), Duration.ofSeconds(-1)),
        "initialEstimate");
  }

  @Test
  void outlierDetection() {
    rejects(
        () -> OutlierDetection.builder().consecutiveFailures(-1).build(),
        "consecutiveFailures",
        "[0, 1000000]",
        "-1");
    rejects(
        () -> OutlierDetection.builder().maxEjectionPercent(101).build(),
        "maxEjectionPercent",
        "[0, 100]",
        "101");
    rejects(
        () -> OutlierDetection.builder().successRate(5, 100, 0).build(),
        "successRateStdevFactor",
        "(0, 100]");
    rejects(
        () -> OutlierDetection.builder().successRate(0, 100, 1.9).build(),
        "successRateMinimumHosts",
        "[1, 10000]");
    rejects(
        () ->
            OutlierDetection.builder()
                .baseEjectionTime(Duration.ofSeconds(30))
                .maxEjectionTime(Duration.ofSeconds(10))
                .build(),
        "maxEjectionTime",
        "PT30S",
        "PT10S");
    rejects(() -> OutlierDetection.builder().interval(Duration.ZERO).build(), "interval");
  }

  @Test
  void healthChecks() {
    ManualScheduler scheduler = new ManualScheduler(new FakeTicker());
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.roundRobin(), endpoints(1));
    rejects(() -> HealthChecks.tcp(Duration.ZERO), "connectTimeout", "PT0S");
    rejects(() -> HealthChecks.http("health", Duration.ofSeconds(1)), "path must start with '/'");
    rejects(() -> HealthChecks.http("/a b", Duration.ofSeconds(1)), "no spaces");
    rejects(
        () -> HealthChecks.http("/h", 700, Duration.ofSeconds(1)), "expectedStatus", "[100, 599]");
    rejects(
        () -> HealthChecker.builder(e -> true).scheduler(scheduler).unhealthyThreshold(0).build(lb),
        "unhealthyThreshold",
        "[1, 100]",
        "was 0");
    rejects(
        () -> HealthChecker.builder(e -> true).scheduler(scheduler).jitter(1.0).build(lb),
        "jitter",
        "[0.0, 1.0)");
    assertThatThrownBy(() -> HealthChecker.builder(e -> true).build(lb))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("scheduler");
  }

  @Test
  void pools() {
    LoadBalancer<Endpoint> a =
        LoadBalancers.builder(Strategies.random()).name("a").build(endpoints(1));
    LoadBalancer<Endpoint> b =
        LoadBalancers.builder(Strategies.random()).name("b").build(endpoints(1));
    rejects(
        () ->
            Pools.<Endpoint>activePassive()
                .primary("p", a)
                .standby("s", b)
                .failoverBelow(0.8)
                .failbackAtOrAbove(0.5)
                .build(),
        "failbackAtOrAbove",
        "[failoverBelow=0.8, 1.0]",
        "0.5");
    rejects(
        () ->
            Pools.<Endpoint>activePassive()
                .primary("p", a)
                .standby("s", b)
                .failoverBelow(0.5)
                .failbackAtOrAbove(0.5)
                .failbackDelay(Duration.ZERO)
                .build(),
        "fail-back needs hysteresis");
    rejects(
        () -> Pools.<Endpoint>activePassive().primary("p", a).standby("p", b).build(),
        "names must differ");
    rejects(() -> Pools.<Endpoint>priority().build(), "levels must be in [1, 128], was 0");
    rejects(
        () -> Pools.<Endpoint>priority().level(a).overprovisioningFactor(0.5).build(),
        "overprovisioningFactor");
    rejects(() -> Pools.<Endpoint>activeActive().build(), "groups must not be empty");
    rejects(
        () -> Pools.<Endpoint>activeActive().group(a, -1).build(),
        "weight of group 0 ('a')",
        "was -1.0");
  }

  @Test
  void requestContext() {
    assertThatThrownBy(() -> RequestContext.ofKey((String) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> RequestContext.builder().attribute("a", null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("attribute value");
    rejects(
        () ->
            Endpoint.builder()
                .host("h")
                .port(1)
                .metadata(Map.of("k", "v"))
                .weight(2_000_000)
                .build(),
        "was 2000000");
  }
}
