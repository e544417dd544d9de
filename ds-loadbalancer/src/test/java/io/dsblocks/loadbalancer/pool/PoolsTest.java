package io.dsblocks.loadbalancer.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.FakeTicker;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Picker;
import io.dsblocks.loadbalancer.Selection;
import io.dsblocks.loadbalancer.Strategies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Active-passive failover with hysteresis, priority spill-over, active-active weighting. */
class PoolsTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new ArrayList<>();

  private static LoadBalancer<Endpoint> group(String prefix, int n) {
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      eps.add(Endpoint.builder().id(prefix + i).host("10.0.0." + (i + 1)).port(80).build());
    }
    return LoadBalancers.builder(Strategies.roundRobin()).name(prefix).build(eps);
  }

  private static String groupOf(Picker<Endpoint> p) {
    Selection<Endpoint> s = p.pick();
    s.release();
    return s.endpoint().id().replaceAll("\\d+$", "");
  }

  private static Map<String, Integer> sample(Picker<Endpoint> p, int n) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.merge(groupOf(p), 1, Integer::sum);
    }
    return m;
  }

  private ActivePassivePool<Endpoint> activePassive(
      LoadBalancer<Endpoint> primary, LoadBalancer<Endpoint> standby) {
    ActivePassivePool<Endpoint> pool =
        Pools.<Endpoint>activePassive()
            .name("orders")
            .primary("primary", primary)
            .standby("standby", standby)
            .failoverBelow(0.5)
            .failbackAtOrAbove(0.75)
            .failbackDelay(Duration.ofSeconds(10))
            .ticker(ticker)
            .build();
    pool.addListener(
        new LoadBalancerListener() {
          @Override
          public void onFailover(String p, String from, String to) {
            events.add(p + ": " + from + " -> " + to);
          }
        });
    return pool;
  }

  @Test
  void activePassiveFailsOverAndFailsBackWithHysteresis() {
    LoadBalancer<Endpoint> primary = group("p", 4);
    LoadBalancer<Endpoint> standby = group("s", 2);
    ActivePassivePool<Endpoint> pool = activePassive(primary, standby);
    assertThat(sample(pool, 20)).containsOnlyKeys("p");

    primary.setHealthy("p0", false);
    primary.setHealthy("p1", false); // 0.5: not below the threshold
    assertThat(sample(pool, 20)).containsOnlyKeys("p");
    primary.setHealthy("p2", false); // 0.25 < 0.5: fail over
    assertThat(sample(pool, 20)).containsOnlyKeys("s");
    assertThat(pool.isFailedOver()).isTrue();
    assertThat(pool.servingGroup()).isEqualTo("standby");

    primary.setHealthy("p2", true); // 0.5: above the failover threshold, below fail-back's
    ticker.advance(Duration.ofMinutes(5));
    assertThat(sample(pool, 20)).containsOnlyKeys("s");

    primary.setHealthy("p1", true); // 0.75: the fail-back delay starts at the next pick
    assertThat(groupOf(pool)).isEqualTo("s");
    ticker.advance(Duration.ofSeconds(9));
    assertThat(groupOf(pool)).isEqualTo("s");
    primary.setHealthy("p1", false); // dips: the delay starts over
    assertThat(groupOf(pool)).isEqualTo("s");
    primary.setHealthy("p1", true);
    assertThat(groupOf(pool)).isEqualTo("s");
    ticker.advance(Duration.ofSeconds(9));
    assertThat(groupOf(pool)).isEqualTo("s");
    ticker.advance(Duration.ofSeconds(1));
    assertThat(sample(pool, 20)).containsOnlyKeys("p");
    assertThat(events).containsExactly("orders: primary -> standby", "orders: standby -> primary");
  }

  @Test
  void noFailoverToAStandbyThatIsWorse() {
    LoadBalancer<Endpoint> primary = group("p", 4);
    LoadBalancer<Endpoint> standby = group("s", 2);
    ActivePassivePool<Endpoint> pool = activePassive(primary, standby);
    standby.setHealthy("s0", false);
    standby.setHealthy("s1", false);
    primary.setHealthy("p0", false);
    primary.setHealthy("p1", false);
    primary.setHealthy("p2", false);
    assertThat(groupOf(pool)).isEqualTo("p");
    assertThat(events).isEmpty();
  }

  @Test
  void failoverUnderConcurrentPicksIsReportedOnce() throws InterruptedException {
    LoadBalancer<Endpoint> primary = group("p", 2);
    LoadBalancer<Endpoint> standby = group("s", 2);
    ActivePassivePool<Endpoint> pool = activePassive(primary, standby);
    primary.setHealthy("p0", false);
    primary.setHealthy("p1", false);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 2000; i++) {
                  pool.pick().release();
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(events).containsExactly("orders: primary -> standby");
  }

  @Test
  void priorityLevelsSpillByHealthyShare() {
    LoadBalancer<Endpoint> l0 = group("a", 10);
    LoadBalancer<Endpoint> l1 = group("b", 10);
    PriorityPool<Endpoint> pool =
        Pools.<Endpoint>priority().name("tiers").level(l0).level(l1).seed(5).build();
    assertThat(pool.loads()).containsExactly(1.0, 0.0);
    assertThat(sample(pool, 200)).containsOnlyKeys("a");

    for (int i = 0; i < 3; i++) {
      l0.setHealthy("a" + i, false); // 0.7 x 1.4 = 0.98
    }
    assertThat(pool.loads()[0]).isCloseTo(0.98, within(1e-9));
    for (int i = 3; i < 5; i++) {
      l0.setHealthy("a" + i, false); // 0.5 x 1.4 = 0.7
    }
    assertThat(pool.loads()[0]).isCloseTo(0.7, within(1e-9));
    assertThat(pool.loads()[1]).isCloseTo(0.3, within(1e-9));
    Map<String, Integer> m = sample(pool, 20_000);
    assertThat(m.get("a") / 20_000.0).isCloseTo(0.7, within(0.02));

    // Both degraded: 0.2 x 1.4 = 0.28 and 0.3 x 1.4 = 0.42, scaled up to sum to 1.
    for (int i = 5; i < 8; i++) {
      l0.setHealthy("a" + i, false);
    }
    for (int i = 0; i < 7; i++) {
      l1.setHealthy("b" + i, false);
    }
    assertThat(pool.loads()[0]).isCloseTo(0.4, within(1e-9));
    assertThat(pool.loads()[1]).isCloseTo(0.6, within(1e-9));
    assertThat(pool.healthyShare()).isCloseTo(0.7, within(1e-9));

    // Level 0 entirely down: everything spills.
    for (int i = 8; i < 10; i++) {
      l0.setHealthy("a" + i, false);
    }
    assertThat(pool.loads()).containsExactly(0.0, 1.0);
    assertThat(sample(pool, 100)).containsOnlyKeys("b");
  }

  @Test
  void activeActiveSplitsByWeightTimesHealthyShare() {
    LoadBalancer<Endpoint> a = group("a", 4);
    LoadBalancer<Endpoint> b = group("b", 4);
    ActiveActivePool<Endpoint> pool =
        Pools.<Endpoint>activeActive().name("both").group(a, 1).group(b, 1).seed(8).build();
    Map<String, Integer> m = sample(pool, 20_000);
    assertThat(m.get("a") / 20_000.0).isCloseTo(0.5, within(0.02));
    b.setHealthy("b0", false);
    b.setHealthy("b1", false); // b at half its usual share: 1 : 0.5
    m = sample(pool, 20_000);
    assertThat(m.get("a") / 20_000.0).isCloseTo(2 / 3.0, within(0.02));
    assertThat(pool.healthyShare()).isCloseTo(0.75, within(1e-9));
  }
}
