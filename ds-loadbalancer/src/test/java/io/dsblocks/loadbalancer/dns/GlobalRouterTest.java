package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each routing policy's semantics, on the engine directly (no sockets). */
class GlobalRouterTest {
  private static final ClientLocation NOWHERE = ClientLocation.UNKNOWN;

  private static GlobalRoutingConfig config(RecordSet.Builder... sets) {
    GlobalRoutingConfig.Builder b = GlobalRoutingConfig.builder().zone("example.test");
    for (RecordSet.Builder s : sets) {
      b.recordSet(s);
    }
    return b.build();
  }

  private static Map<String, Integer> count(GlobalRouter router, String name, int queries) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < queries; i++) {
      RoutingResult r = router.route(name, RecordType.A, NOWHERE);
      assertThat(r.records()).hasSize(1);
      counts.merge(r.records().get(0).value().id(), 1, Integer::sum);
    }
    return counts;
  }

  /** |observed - expected| within 5 standard deviations of the binomial(n, p) count. */
  private static void assertBinomial(int observed, int n, double p) {
    double mean = n * p;
    double sigma = Math.sqrt(n * p * (1 - p));
    assertThat((double) observed).isBetween(mean - 5 * sigma, mean + 5 * sigma);
  }

  @Test
  void weightedSplitsInProportionToWeightsAndNeverPicksWeightZero() {
    GlobalRouter router =
        GlobalRouter.builder(
                config(
                    RecordSet.weighted("www.example.test", RecordType.A)
                        .value(RecordValue.builder("one", "192.0.2.1").weight(1))
                        .value(RecordValue.builder("three", "192.0.2.3").weight(3))
                        .value(RecordValue.builder("six", "192.0.2.6").weight(6))
                        .value(RecordValue.builder("zero", "192.0.2.99").weight(0))))
            .random(new Random(42))
            .build();
    int n = 20_000;
    Map<String, Integer> counts = count(router, "www.example.test", n);
    assertThat(counts).doesNotContainKey("zero");
    assertBinomial(counts.get("one"), n, 0.1);
    assertBinomial(counts.get("three"), n, 0.3);
    assertBinomial(counts.get("six"), n, 0.6);
  }

  @Test
  void weightedSkipsUnhealthyFallsBackToZeroWeightThenToAll() {
    ManualHealthSource health = new ManualHealthSource();
    GlobalRouter router =
        GlobalRouter.builder(
                config(
                    RecordSet.weighted("www.example.test", RecordType.A)
                        .value(
                            RecordValue.builder("blue", "192.0.2.1").weight(1).healthCheck("blue"))
                        .value(
                            RecordValue.builder("green", "192.0.2.2")
                                .weight(1)
                                .healthCheck("green"))
                        .value(
                            RecordValue.builder("spare", "192.0.2.3")
                                .weight(0)
                                .healthCheck("spare"))))
            .random(new Random(7))
            .healthSource(health)
            .build();

    health.setHealthy("blue", false);
    assertThat(count(router, "www.example.test", 200)).containsOnlyKeys("green");

    // No healthy positive weight: the weight-0 value takes over (Route 53 semantics).
    health.setHealthy("green", false);
    assertThat(count(router, "www.example.test", 200)).containsOnlyKeys("spare");

    // Nothing healthy at all: routed as if everything were healthy, by weight.
    health.setHealthy("spare", false);
    assertThat(count(router, "www.example.test", 400)).containsOnlyKeys("blue", "green");
  }

  @Test
  void allZeroWeightsAreChosenUniformly() {
    GlobalRouter router =
        GlobalRouter.builder(
                config(
                    RecordSet.weighted("www.example.test", RecordType.A)
                        .value(RecordValue.builder("a", "192.0.2.1").weight(0))
                        .value(RecordValue.builder("b", "192.0.2.2").weight(0))))
            .random(new Random(3))
            .build();
    int n = 4_000;
    Map<String, Integer> counts = count(router, "www.example.test", n);
    assertBinomial(counts.get("a"), n, 0.5);
    assertBinomial(counts.get("b"), n, 0.5);
  }

  @Test
  void failoverAnswersSecondaryOnlyWhilePrimaryIsUnhealthy() {
    ManualHealthSource health = new ManualHealthSource();
    GlobalRouter router =
        GlobalRouter.builder(
                config(
                    RecordSet.failover("api.example.test", RecordType.A)
                        .value(
                            RecordValue.builder("primary", "192.0.2.1")
                                .failover(FailoverRole.PRIMARY)
                                .healthCheck("p"))
                        .value(
                            RecordValue.builder("secondary", "198.51.100.1")
                                .failover(FailoverRole.SECONDARY)
                                .healthCheck("s"))))
            .healthSource(health)
            .build();
    assertThat(router.route("api.example.test", RecordType.A, NOWHERE).values())
        .containsExactly("192.0.2.1");
    health.setHealthy("p", false);
    assertThat(router.route("api.example.test", RecordType.A, NOWHERE).values())
        .containsExactly("198.51.100.1");
    health.setHealthy("s", false); // both down: all-unhealthy means all-healthy -> primary
    assertThat(router.route("api.example.test", RecordType.A, NOWHERE).values())
        .containsExactly("192.0.2.1");
    health.setHealthy("s", true).setHealthy("p", true); // fail back at once
    assertThat(router.route("api.example.test", RecordType.A, NOWHERE).values())
        .containsExactly("192.0.2.1");
  }

  @Test
  void geolocationPrefersCountryThenContinentThenDefault() {
    ManualHealthSource health = new ManualHealthSource();
    GlobalRouter router =
        GlobalRouter.builder(
                config(
                    RecordSet.geolocation("geo.example.test", RecordType.A)
                        .value(
                            RecordValue.builder("de", "192.0.2.49")
                                .location(GeoLocation.country("DE"))
                                .healthCheck("de"))
                        .value(
                            RecordValue.builder("eu", "192.0.2.150")
                                .location(GeoLocation.continent(Continent.EU)))
                        .value(
                            RecordValue.builder("world", "192.0.2.1")
                                .location(GeoLocation.defaultLocation())),
                    RecordSet.geolocation("eu-only.example.test", RecordType.A)
                        .value(
                            RecordValue.builder("eu", "192.0.2.150")
                                .location(GeoLocation.continent(Continent.EU)))))
            .healthSource(health)
            .build();
    ClientLocation berlin = ClientLocation.of(Continent.EU, "DE", null);
    ClientLocation paris = ClientLocation.of(Continent.EU, "FR", null);
    ClientLocation ohio = ClientLocation.of(Continent.NA, "US", null);
    assertThat(router.route("geo.example.test", RecordType.A, berlin).values())
        .containsExactly("192.0.2.49");
    assertThat(router.route("geo.example.test", RecordType.A, paris).values())
        .containsExactly("192.0.2.150");
    assertThat(router.route("geo.example.test", RecordType.A, ohio).values())
        .containsExactly("192.0.2.1");
    assertThat(router.route("geo.example.test", RecordType.A, NOWHERE).values())
        .containsExactly("192.0.2.1");
    // An unhealthy country record falls through to its continent.
    health.setHealthy("de", false);
    assertThat(router.route("geo.example.test", RecordType.A, berlin).values())
        .containsExactly("192.0.2.150");
    // No match and no default: no answer at all.
    RoutingResult none = router.route("eu-only.example.test", RecordType.A, ohio);
    assertThat(none.outcome()).isEqualTo(RoutingOutcome.NODATA);
    assertThat(none.records()).isEmpty();
    assertThat(none.locationDependent()).isTrue();
  }

  @Test
  void multivalueAnswersUpToEightDistinctHealthyValues() {
    ManualHealthSource health = new ManualHealthSource();
    RecordSet.Builder set = RecordSet.multivalue("mv.example.test", RecordType.A);
    for (int i = 1; i <= 12; i++) {
      set.value(RecordValue.builder("v" + i, "192.0.2." + i).healthCheck("hc" + i));
    }
    GlobalRouter router =
        GlobalRouter.builder(config(set)).healthSource(health).random(new Random(11)).build();
    health.setHealthy("hc2", false).setHealthy("hc5", false).setHealthy("hc9", false);
    Set<String> seen = new HashSet<>();
    for (int q = 0; q < 300; q++) {
      List<String> values = router.route("mv.example.test", RecordType.A, NOWHERE).values();
      assertThat(values).hasSize(8).doesNotHaveDuplicates();
      assertThat(values).doesNotContain("192.0.2.2", "192.0.2.5", "192.0.2.9");
      seen.addAll(values);
    }
    // Random subsets: each of the nine healthy values shows up.
    assertThat(seen).hasSize(9);

    // Fewer healthy than the cap: exactly the healthy ones.
    for (int i = 1; i <= 12; i++) {
      health.setHealthy("hc" + i, i <= 3);
    }
    assertThat(router.route("mv.example.test", RecordType.A, NOWHERE).values())
        .containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2", "192.0.2.3");

    // None healthy: all count as healthy, still capped at eight.
    for (int i = 1; i <= 12; i++) {
      health.setHealthy("hc" + i, false);
    }
    assertThat(router.route("mv.example.test", RecordType.A, NOWHERE).values()).hasSize(8);
  }

  @Test
  void latencyPicksTheLowestRttHealthyRegion() {
    RttTable rtt =
        new RttTable()
            .set("eu", "eu-west", Duration.ofMillis(20))
            .set("eu", "us-east", Duration.ofMillis(90))
            .set("eu", "ap-south", Duration.ofMillis(200))
            .set("us", "eu-west", Duration.ofMillis(95))
            .set("us", "us-east", Duration.ofMillis(15))
            .set(LatencySource.ANY_REGION, "ap-south", Duration.ofMillis(50));
    ManualHealthSource health = new ManualHealthSource();
    GlobalRouter router =
        GlobalRouter.builder(
                config(
                    RecordSet.latency("lat.example.test", RecordType.A)
                        .value(RecordValue.builder("us", "192.0.2.10").region("us-east"))
                        .value(
                            RecordValue.builder("eu", "192.0.2.20")
                                .region("eu-west")
                                .healthCheck("eu"))
                        .value(RecordValue.builder("ap", "192.0.2.30").region("ap-south"))))
            .latencySource(rtt)
            .healthSource(health)
            .build();
    assertThat(router.route("lat.example.test", RecordType.A, ClientLocation.region("eu")).values())
        .containsExactly("192.0.2.20");
    assertThat(router.route("lat.example.test", RecordType.A, ClientLocation.region("us")).values())
        .containsExactly("192.0.2.10");
    // Unknown client region: the "*" row decides.
    assertThat(router.route("lat.example.test", RecordType.A, NOWHERE).values())
        .containsExactly("192.0.2.30");
    assertThat(router.route("lat.example.test", RecordType.A, NOWHERE).locationDependent())
        .isTrue();
    // The best region unhealthy: next lowest RTT.
    health.setHealthy("eu", false);
    assertThat(router.route("lat.example.test", RecordType.A, ClientLocation.region("eu")).values())
        .containsExactly("192.0.2.10");
    health.setHealthy("eu", true);
    // Measurements move the estimate: us-east gets faster than eu-west for eu clients.
    for (int i = 0; i < 20; i++) {
      rtt.record("eu", "us-east", Duration.ofMillis(5));
    }
    assertThat(router.route("lat.example.test", RecordType.A, ClientLocation.region("eu")).values())
        .containsExactly("192.0.2.10");
  }

  @Test
  void latencyWithoutMeasurementsPrefersTheClientsOwnRegion() {
    GlobalRouter router =
        GlobalRouter.of(
            config(
                RecordSet.latency("lat.example.test", RecordType.A)
                    .value(RecordValue.builder("us", "192.0.2.10").region("us-east"))
                    .value(RecordValue.builder("eu", "192.0.2.20").region("eu-west"))));
    assertThat(
            router
                .route("lat.example.test", RecordType.A, ClientLocation.region("eu-west"))
                .values())
        .containsExactly("192.0.2.20");
    assertThat(router.route("lat.example.test", RecordType.A, NOWHERE).values())
        .containsExactly("192.0.2.10");
  }

  @Test
  void simpleAnswersEveryValueInOrder() {
    GlobalRouter router =
        GlobalRouter.of(
            config(
                RecordSet.simple("s.example.test", RecordType.AAAA)
                    .value("a", "2001:db8::1")
                    .value("b", "2001:db8::2")));
    assertThat(router.route("s.example.test", RecordType.AAAA, NOWHERE).values())
        .containsExactly("2001:db8::1", "2001:db8::2");
  }

  @Test
  void cnamesAreFollowedInsideOurZonesOnly() {
    GlobalRouter router =
        GlobalRouter.of(
            config(
                RecordSet.simple("www.example.test", RecordType.CNAME)
                    .value("c", "web.example.test"),
                RecordSet.simple("web.example.test", RecordType.A).value("a", "192.0.2.80"),
                RecordSet.simple("ext.example.test", RecordType.CNAME)
                    .value("c", "cdn.example.net"),
                RecordSet.simple("loop1.example.test", RecordType.CNAME)
                    .value("c", "loop2.example.test"),
                RecordSet.simple("loop2.example.test", RecordType.CNAME)
                    .value("c", "loop1.example.test")));
    RoutingResult a = router.route("WWW.example.test.", RecordType.A, NOWHERE);
    assertThat(a.outcome()).isEqualTo(RoutingOutcome.ANSWER);
    assertThat(a.records())
        .extracting(RoutedRecord::name, RoutedRecord::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("www.example.test", RecordType.CNAME),
            org.assertj.core.groups.Tuple.tuple("web.example.test", RecordType.A));
    assertThat(a.values()).containsExactly("web.example.test", "192.0.2.80");

    assertThat(router.route("www.example.test", RecordType.CNAME, NOWHERE).values())
        .containsExactly("web.example.test");

    RoutingResult aaaa = router.route("www.example.test", RecordType.AAAA, NOWHERE);
    assertThat(aaaa.outcome()).isEqualTo(RoutingOutcome.NODATA);
    assertThat(aaaa.values()).containsExactly("web.example.test");

    RoutingResult ext = router.route("ext.example.test", RecordType.A, NOWHERE);
    assertThat(ext.outcome()).isEqualTo(RoutingOutcome.ANSWER);
    assertThat(ext.values()).containsExactly("cdn.example.net");

    RoutingResult loop = router.route("loop1.example.test", RecordType.A, NOWHERE);
    assertThat(loop.records()).hasSize(GlobalRoutingConfig.MAX_CNAME_CHAIN);
  }

  @Test
  void nxdomainRefusedAndNodataFollowDnsRules() {
    GlobalRouter router =
        GlobalRouter.of(
            config(RecordSet.simple("a.b.example.test", RecordType.A).value("a", "192.0.2.1")));
    assertThat(router.route("nope.example.test", RecordType.A, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.NXDOMAIN);
    assertThat(router.route("www.example.org", RecordType.A, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.REFUSED);
    assertThat(router.route("notexample.test", RecordType.A, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.REFUSED);
    assertThat(router.route("a.b.example.test", RecordType.AAAA, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.NODATA);
    assertThat(router.route("a.b.example.test", 16 /* TXT */, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.NODATA);
    // Empty non-terminal and apex exist: NODATA, not NXDOMAIN (RFC 8020).
    assertThat(router.route("b.example.test", RecordType.A, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.NODATA);
    assertThat(router.route("example.test", RecordType.A, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.NODATA);
    RoutingResult nx = router.route("x.a.b.example.test", RecordType.A, NOWHERE);
    assertThat(nx.outcome()).isEqualTo(RoutingOutcome.NXDOMAIN);
    assertThat(nx.zone()).isEqualTo("example.test");
    assertThat(router.route("A.B.Example.Test.", RecordType.A, NOWHERE).values())
        .containsExactly("192.0.2.1");
  }

  @Test
  void updateReplacesTheWholeConfiguration() {
    GlobalRouter router =
        GlobalRouter.of(
            config(RecordSet.simple("www.example.test", RecordType.A).value("a", "192.0.2.1")));
    GlobalRoutingConfig next =
        GlobalRoutingConfig.builder()
            .zone("example.org")
            .soaSerial(2)
            .recordSet(RecordSet.simple("www.example.org", RecordType.A).value("b", "192.0.2.2"))
            .build();
    router.update(next);
    assertThat(router.config()).isSameAs(next);
    assertThat(router.route("www.example.test", RecordType.A, NOWHERE).outcome())
        .isEqualTo(RoutingOutcome.REFUSED);
    RoutingResult r = router.route("www.example.org", RecordType.A, NOWHERE);
    assertThat(r.values()).containsExactly("192.0.2.2");
    assertThat(r.soaSerial()).isEqualTo(2);
  }

  @Test
  void clientAddressesAreLocatedWithTheGeoResolver() throws Exception {
    GlobalRouter router =
        GlobalRouter.builder(
                config(
                    RecordSet.geolocation("geo.example.test", RecordType.A)
                        .value(
                            RecordValue.builder("jp", "192.0.2.81")
                                .location(GeoLocation.country("JP")))
                        .value(
                            RecordValue.builder("any", "192.0.2.1")
                                .location(GeoLocation.defaultLocation()))))
            .geoResolver(
                CidrGeoResolver.builder()
                    .add("198.51.100.0/24", ClientLocation.of(Continent.AS, "JP", "ap-northeast"))
                    .build())
            .build();
    assertThat(
            router
                .route(
                    "geo.example.test",
                    RecordType.A,
                    java.net.InetAddress.getByName("198.51.100.7"))
                .values())
        .containsExactly("192.0.2.81");
    assertThat(
            router
                .route(
                    "geo.example.test", RecordType.A, java.net.InetAddress.getByName("203.0.113.7"))
                .values())
        .containsExactly("192.0.2.1");
  }
}
