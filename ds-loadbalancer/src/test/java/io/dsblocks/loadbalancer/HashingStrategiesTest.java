package io.dsblocks.loadbalancer;

import static io.dsblocks.loadbalancer.TestEndpoints.endpoints;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Consistent hashing through ds-sharding: stickiness and how few keys move. */
class HashingStrategiesTest {
  private static final int KEYS = 20_000;

  private static Map<Integer, String> owners(LoadBalancer<Endpoint> lb) {
    Map<Integer, String> m = new HashMap<>();
    for (int k = 0; k < KEYS; k++) {
      Selection<Endpoint> s = lb.pick(RequestContext.ofKey("key-" + k));
      m.put(k, s.endpoint().id());
      s.release();
    }
    return m;
  }

  @Test
  void ringMovesOnlyTheKeysOfARemovedEndpoint() {
    List<Endpoint> eps = endpoints(10);
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.ringHash(), eps);
    Map<Integer, String> before = owners(lb);
    List<Endpoint> without = new ArrayList<>(eps);
    without.remove(3);
    lb.update(without);
    Map<Integer, String> after = owners(lb);
    int moved = 0;
    for (int k = 0; k < KEYS; k++) {
      if (before.get(k).equals("e3")) {
        assertThat(after.get(k)).isNotEqualTo("e3");
        moved++;
      } else {
        assertThat(after.get(k))
            .as("key %d was not on e3 and must stay", k)
            .isEqualTo(before.get(k));
      }
    }
    // e3 held about a tenth of the keys (100 points per endpoint: +-30% per endpoint).
    assertThat(moved).isBetween(KEYS / 10 / 2, KEYS / 10 * 2);
    lb.update(eps);
    assertThat(owners(lb)).as("placement is a function of the ids").isEqualTo(before);
  }

  @Test
  void unhealthyEndpointLeavesTheRingTheSameWay() {
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.ringHash(), endpoints(10));
    Map<Integer, String> before = owners(lb);
    lb.setHealthy("e7", false);
    Map<Integer, String> after = owners(lb);
    for (int k = 0; k < KEYS; k++) {
      if (!before.get(k).equals("e7")) {
        assertThat(after.get(k)).isEqualTo(before.get(k));
      }
    }
    assertThat(after).doesNotContainValue("e7");
  }

  @Test
  void maglevMovesFewKeysWhenAnEndpointLeaves() {
    List<Endpoint> eps = endpoints(10);
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.maglev(), eps);
    Map<Integer, String> before = owners(lb);
    List<Endpoint> without = new ArrayList<>(eps);
    without.remove(5);
    lb.update(without);
    Map<Integer, String> after = owners(lb);
    int moved = 0;
    int onRemoved = 0;
    for (int k = 0; k < KEYS; k++) {
      if (before.get(k).equals("e5")) {
        onRemoved++;
      }
      if (!before.get(k).equals(after.get(k))) {
        moved++;
      }
    }
    // Maglev also reassigns a few table entries between survivors (1.03x ideal at 10 nodes in
    // ds-sharding's measurements); allow 1.3x the keys the removed endpoint held.
    assertThat(moved).isGreaterThanOrEqualTo(onRemoved).isLessThan((int) (onRemoved * 1.3));
    // Balance: every survivor holds close to a ninth of the keys.
    Map<String, Integer> load = new HashMap<>();
    after.values().forEach(id -> load.merge(id, 1, Integer::sum));
    load.values().forEach(n -> assertThat(n).isBetween(KEYS / 9 * 8 / 10, KEYS / 9 * 12 / 10));
  }

  @Test
  void ipHashSticksEachClientToOneEndpoint() throws UnknownHostException {
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.ipHash(), endpoints(5));
    Set<String> used = new HashSet<>();
    for (int c = 1; c <= 200; c++) {
      RequestContext ctx = RequestContext.ofClient(InetAddress.getByName("192.168.7." + c));
      Selection<Endpoint> first = lb.pick(ctx);
      first.release();
      for (int r = 0; r < 5; r++) {
        Selection<Endpoint> again = lb.pick(ctx);
        assertThat(again.endpoint()).isEqualTo(first.endpoint());
        again.release();
      }
      used.add(first.endpoint().id());
    }
    assertThat(used).hasSize(5);
  }

  @Test
  void ipHashIgnoresTheKeyAndRingHashFallsBackToTheClient() throws UnknownHostException {
    InetAddress client = InetAddress.getByName("10.1.2.3");
    LoadBalancer<Endpoint> ip = LoadBalancers.of(Strategies.ipHash(), endpoints(7));
    LoadBalancer<Endpoint> ring = LoadBalancers.of(Strategies.ringHash(), endpoints(7));
    Set<String> ipChoices = new HashSet<>();
    Set<String> ringChoices = new HashSet<>();
    for (int k = 0; k < 50; k++) {
      RequestContext ctx = RequestContext.builder().client(client).key("k" + k).build();
      ipChoices.add(ip.pick(ctx).endpoint().id());
      ringChoices.add(ring.pick(ctx).endpoint().id());
    }
    assertThat(ipChoices).hasSize(1);
    assertThat(ringChoices).hasSizeGreaterThan(1);
    Set<String> clientOnly = new HashSet<>();
    for (int k = 0; k < 20; k++) {
      clientOnly.add(ring.pick(RequestContext.ofClient(client)).endpoint().id());
    }
    assertThat(clientOnly).hasSize(1);
  }

  @Test
  void hashStrategiesWithoutKeyOrClientSpreadAtRandom() {
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.maglev()).seed(4).build(endpoints(4));
    Map<String, Integer> c = new HashMap<>();
    for (int i = 0; i < 4000; i++) {
      c.merge(lb.pick().endpoint().id(), 1, Integer::sum);
    }
    assertThat(c).hasSize(4);
    c.values().forEach(n -> assertThat(n).isBetween(800, 1200));
  }

  @Test
  void boundedLoadsCapTheInFlightCountOfAHotKey() {
    LoadBalancer<Endpoint> lb = LoadBalancers.of(Strategies.boundedLoadHash(1.25), endpoints(4));
    RequestContext hot = RequestContext.ofKey("the-hot-key");
    List<Selection<Endpoint>> held = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Selection<Endpoint> s = lb.pick(hot);
      held.add(s);
      long total = i + 1;
      long cap = (long) Math.ceil(1.25 * total / 4);
      for (Endpoint e : lb.endpoints()) {
        assertThat(lb.status(e.id()).orElseThrow().inFlight())
            .as("in flight on %s after %d picks", e.id(), total)
            .isLessThanOrEqualTo(cap);
      }
    }
    Set<String> used = new HashSet<>();
    held.forEach(s -> used.add(s.endpoint().id()));
    assertThat(used).hasSize(4);
    held.forEach(Selection::release);
    // Idle again: the key goes back to its ring owner.
    Selection<Endpoint> owner = lb.pick(hot);
    assertThat(owner.endpoint()).isEqualTo(held.get(0).endpoint());
  }
}
