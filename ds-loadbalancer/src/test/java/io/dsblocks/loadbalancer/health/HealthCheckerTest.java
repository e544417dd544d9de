package io.dsblocks.loadbalancer.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.FakeTicker;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.ManualScheduler;
import io.dsblocks.loadbalancer.Strategies;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Active health checks against real sockets on 127.0.0.1: a {@link ServerSocket} the test opens and
 * closes, and a JDK {@link HttpServer} answering 200 or 503. Rounds are driven by a manual
 * scheduler, so checks run on the test thread at simulated times: no sleeps.
 */
@Tag("integration")
class HealthCheckerTest {
  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private final FakeTicker ticker = new FakeTicker();
  private final ManualScheduler scheduler = new ManualScheduler(ticker);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
  }

  private LoadBalancer<Endpoint> balancer(List<Endpoint> endpoints) {
    return LoadBalancers.builder(Strategies.roundRobin())
        .ticker(ticker)
        .panicThreshold(0)
        .listener(
            new LoadBalancerListener() {
              @Override
              public void onEndpointHealthy(String lb, Endpoint e) {
                events.add("healthy " + e.id());
              }

              @Override
              public void onEndpointUnhealthy(String lb, Endpoint e) {
                events.add("unhealthy " + e.id());
              }
            })
        .build(endpoints);
  }

  private HealthChecker checker(HealthCheck check, LoadBalancer<Endpoint> lb) {
    HealthChecker c =
        HealthChecker.builder(check)
            .interval(INTERVAL)
            .jitter(0.2)
            .unhealthyThreshold(2)
            .healthyThreshold(3)
            .scheduler(scheduler)
            .seed(42)
            .build(lb);
    cleanup.add(c);
    return c;
  }

  /** Runs {@code n} rounds (each at most 1.2 intervals apart, checks within 0.2 after). */
  private void rounds(int n) {
    for (int i = 0; i < n; i++) {
      scheduler.advance(Duration.ofMillis(1400));
    }
  }

  private static boolean healthy(LoadBalancer<Endpoint> lb, String id) {
    return lb.status(id).orElseThrow().healthy();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    return s;
  }

  @Test
  void tcpCheckFollowsAListeningSocketWithThresholds() throws IOException {
    ServerSocket server = listen(0);
    int port = server.getLocalPort();
    Endpoint up = Endpoint.builder().id("tcp").host("127.0.0.1").port(port).build();
    LoadBalancer<Endpoint> lb = balancer(List.of(up));
    HealthChecker c = checker(counted(HealthChecks.tcp(Duration.ofSeconds(1))), lb);
    c.start();
    rounds(3);
    assertThat(healthy(lb, "tcp")).isTrue();

    server.close(); // connection refused from now on
    scheduler.runDue();
    int before = events.size();
    // Thresholds count checks, not time: step until the state flips and count the checks.
    int checks = stepUntil(() -> !healthy(lb, "tcp"));
    assertThat(checks).isEqualTo(2);
    assertThat(events.subList(before, events.size())).containsExactly("unhealthy tcp");

    server = listen(port);
    cleanup.add(server);
    checks = stepUntil(() -> healthy(lb, "tcp"));
    assertThat(checks).isEqualTo(3);
    assertThat(events).containsExactly("unhealthy tcp", "healthy tcp");
  }

  /** Advances one check at a time until the condition holds; returns the number of checks. */
  private int stepUntil(java.util.function.BooleanSupplier condition) {
    int checks = 0;
    while (!condition.getAsBoolean()) {
      assertThat(checks).as("checks before the state flipped").isLessThan(10);
      int before = probes.get();
      for (int step = 0; probes.get() == before; step++) {
        assertThat(step).as("steps waiting for the next check").isLessThan(100);
        scheduler.advance(Duration.ofMillis(50));
      }
      checks++;
    }
    return checks;
  }

  private final AtomicInteger probes = new AtomicInteger();

  private HealthCheck counted(HealthCheck check) {
    return e -> {
      probes.incrementAndGet();
      return check.check(e);
    };
  }

  @Test
  void httpCheckExpectsTheConfiguredStatus() throws IOException {
    AtomicInteger status = new AtomicInteger(200);
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/health",
        ex -> {
          ex.sendResponseHeaders(status.get(), -1);
          ex.close();
        });
    http.start();
    cleanup.add(() -> http.stop(0));
    Endpoint ep =
        Endpoint.builder().id("web").host("127.0.0.1").port(http.getAddress().getPort()).build();
    LoadBalancer<Endpoint> lb = balancer(List.of(ep));
    HealthChecker c =
        checker(counted(HealthChecks.http("/health", 200, Duration.ofSeconds(2))), lb);
    c.start();
    rounds(2);
    assertThat(healthy(lb, "web")).isTrue();

    status.set(503);
    assertThat(stepUntil(() -> !healthy(lb, "web"))).isEqualTo(2);
    status.set(200);
    assertThat(stepUntil(() -> healthy(lb, "web"))).isEqualTo(3);
    assertThat(events).containsExactly("unhealthy web", "healthy web");

    // The same server seen by a check expecting any 2xx, and one expecting 204.
    assertThat(probe(HealthChecks.http("/health", Duration.ofSeconds(2)), ep)).isTrue();
    assertThat(probe(HealthChecks.http("/health", 204, Duration.ofSeconds(2)), ep)).isFalse();
  }

  private static boolean probe(HealthCheck check, Endpoint e) {
    try {
      return check.check(e);
    } catch (Exception failed) {
      return false;
    }
  }

  @Test
  void pauseFreezesHealthAndResumeContinues() throws IOException {
    ServerSocket server = listen(0);
    Endpoint ep = Endpoint.builder().id("p").host("127.0.0.1").port(server.getLocalPort()).build();
    LoadBalancer<Endpoint> lb = balancer(List.of(ep));
    HealthChecker c = checker(counted(HealthChecks.tcp(Duration.ofSeconds(1))), lb);
    c.start();
    rounds(1);
    c.pause();
    assertThat(c.isPaused()).isTrue();
    server.close();
    int before = probes.get();
    rounds(5);
    assertThat(probes.get()).as("no checks while paused").isEqualTo(before);
    assertThat(healthy(lb, "p")).isTrue();
    c.resume();
    assertThat(stepUntil(() -> !healthy(lb, "p"))).isEqualTo(2);
  }

  @Test
  void scheduleIsJitteredWithinBoundsAndReproducibleFromTheSeed() {
    List<Long> first = scheduleOf(42);
    assertThat(scheduleOf(42)).isEqualTo(first);
    assertThat(scheduleOf(43)).isNotEqualTo(first);
    long interval = INTERVAL.toNanos();
    // Requests alternate: per round, 3 check delays then the next round's delay.
    List<Long> roundDelays = new ArrayList<>();
    List<Long> checkDelays = new ArrayList<>();
    for (int i = 1; i < first.size(); i++) {
      (i % 4 == 0 ? roundDelays : checkDelays).add(first.get(i));
    }
    assertThat(roundDelays).hasSizeGreaterThan(5);
    assertThat(roundDelays)
        .allSatisfy(d -> assertThat(d).isBetween(interval * 8 / 10, interval * 12 / 10));
    assertThat(roundDelays.stream().distinct().count()).isGreaterThan(3);
    assertThat(checkDelays).allSatisfy(d -> assertThat(d).isBetween(0L, interval * 2 / 10));
  }

  private List<Long> scheduleOf(long seed) {
    FakeTicker t = new FakeTicker();
    ManualScheduler s = new ManualScheduler(t);
    LoadBalancer<Endpoint> lb =
        LoadBalancers.of(
            Strategies.roundRobin(),
            List.of(
                Endpoint.of("10.0.0.1", 1),
                Endpoint.of("10.0.0.2", 1),
                Endpoint.of("10.0.0.3", 1)));
    try (HealthChecker c =
        HealthChecker.builder(e -> true)
            .interval(INTERVAL)
            .jitter(0.2)
            .scheduler(s)
            .seed(seed)
            .build(lb)) {
      c.start();
      for (int i = 0; i < 10; i++) {
        s.advance(Duration.ofMillis(1300));
      }
    }
    return s.delays();
  }

  @Test
  void newMembersAreCheckedAndClosedCheckerStopsScheduling() {
    List<String> checked = new CopyOnWriteArrayList<>();
    LoadBalancer<Endpoint> lb = balancer(List.of(Endpoint.of("10.0.0.1", 80)));
    HealthChecker c =
        checker(
            e -> {
              checked.add(e.id());
              return !e.id().equals("10.0.0.2:80");
            },
            lb);
    c.start();
    rounds(2);
    assertThat(checked).containsOnly("10.0.0.1:80");
    lb.update(List.of(Endpoint.of("10.0.0.1", 80), Endpoint.of("10.0.0.2", 80)));
    rounds(3);
    assertThat(checked).contains("10.0.0.2:80");
    assertThat(healthy(lb, "10.0.0.2:80")).isFalse();
    c.close();
    c.close(); // idempotent
    int seen = checked.size();
    rounds(3);
    assertThat(checked).hasSize(seen);
    assertThat(scheduler.pending()).isZero();
  }
}
