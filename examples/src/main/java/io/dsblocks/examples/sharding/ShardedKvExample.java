package io.dsblocks.examples.sharding;

import io.dsblocks.sharding.HotKey;
import io.dsblocks.sharding.HotKeyTracker;
import io.dsblocks.sharding.Move;
import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.RebalancePlan;
import io.dsblocks.sharding.ShardBackend;
import io.dsblocks.sharding.ShardRouter;
import io.dsblocks.sharding.ShardRouters;
import io.dsblocks.sharding.ShardedStore;
import io.dsblocks.sharding.SimpleNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sharded key-value map over 5 in-process nodes: write 10,000 keys, look at the placement and a
 * key's replicas, add a sixth node, print the migration plan (which hash ranges move where),
 * migrate range by range while every key stays readable, and report the hottest keys per node.
 *
 * <p>Copy this class to start: swap the {@code ConcurrentHashMap} backends for clients of real
 * servers.
 */
public final class ShardedKvExample {
  private static final int KEYS = 10_000;

  private ShardedKvExample() {}

  /**
   * What the example measured.
   *
   * @param fractionMoved share of keys the plan moved
   * @param idealFraction 1 / new node count
   * @param moves number of hash ranges in the plan
   * @param keysCopied keys copied by the migration
   * @param readsDuringMigration reads checked while migrating (all correct)
   * @param hottestKey the hottest key found by the tracker
   */
  public record Result(
      double fractionMoved,
      double idealFraction,
      int moves,
      int keysCopied,
      int readsDuringMigration,
      String hottestKey) {}

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Runs the example.
   *
   * @param out where to print
   * @return what it measured
   */
  public static Result run(PrintStream out) {
    // 1. Five nodes in three zones, each with its own in-memory backend.
    List<SimpleNode> nodes = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      nodes.add(Node.of("node-" + i, 1.0, "zone-" + (char) ('a' + i % 3)));
    }
    Map<String, ConcurrentHashMap<String, String>> data = new ConcurrentHashMap<>();
    Map<String, ShardBackend<String, String>> backends = new ConcurrentHashMap<>();
    ShardRouter<SimpleNode> router = ShardRouters.ring(nodes);
    ShardedStore<String, String, SimpleNode> store =
        new ShardedStore<>(
            router,
            node ->
                backends.computeIfAbsent(
                    node.id(),
                    id ->
                        ShardBackend.of(data.computeIfAbsent(id, x -> new ConcurrentHashMap<>()))));

    // 2. Write keys and look at where they landed.
    for (int i = 0; i < KEYS; i++) {
      store.put("user:" + i, "profile-" + i);
    }
    out.println("placement of " + KEYS + " keys on " + router.size() + " nodes: " + sizes(data));
    out.println(
        "replicas of user:42 (3 zones, r=3): "
            + router.replicas((Object) "user:42", 3).stream()
                .map(n -> n.id() + "@" + n.zone())
                .toList());

    // 3. Hot keys: count reads per node over a sliding window.
    HotKeyTracker<String> hot = HotKeyTracker.<String>builder().capacity(64).build();
    for (int i = 0; i < 20_000; i++) {
      String key = i % 4 == 0 ? "user:7" : "user:" + (i * 31 % KEYS);
      store.get(key);
      hot.record(router.route(key).id(), key);
    }
    String hottest = "";
    long best = -1;
    for (Map.Entry<String, List<HotKey<String>>> e : hot.topKPerNode(1).entrySet()) {
      HotKey<String> top = e.getValue().get(0);
      out.printf(
          Locale.ROOT, "hottest on %s: %s (~%d reads)%n", e.getKey(), top.key(), top.count());
      if (top.count() > best) {
        best = top.count();
        hottest = top.key();
      }
    }

    // 4. Add a sixth node: compute the plan.
    ShardRouter<SimpleNode> bigger = router.withNode(Node.of("node-6", 1.0, "zone-a"));
    RebalancePlan<SimpleNode> plan = store.beginMigration(bigger);
    out.printf(
        Locale.ROOT,
        "plan: %d hash ranges move, %.2f%% of keys (ideal 1/6 = %.2f%%)%n",
        plan.moves().size(),
        plan.fractionMoved() * 100,
        100.0 / 6);
    Map<String, Double> bySource = new TreeMap<>();
    for (Move<SimpleNode> m : plan) {
      bySource.merge(m.from().id() + " -> " + m.to().id(), m.fraction(), Double::sum);
    }
    bySource.forEach((k, v) -> out.printf(Locale.ROOT, "  %s: %.2f%% of keys%n", k, v * 100));
    plan.moves().stream().limit(3).forEach(m -> out.println("  e.g. " + m));

    // 5. Migrate range by range; reads keep working in between.
    int copied = 0;
    int reads = 0;
    for (Move<SimpleNode> m : plan) {
      copied += store.migrate(m);
      for (int i = 0; i < KEYS; i += 250) {
        String v = store.get("user:" + i);
        if (!("profile-" + i).equals(v)) {
          throw new IllegalStateException("user:" + i + " read " + v + " during migration");
        }
        reads++;
      }
    }
    store.finishMigration();
    out.println("migrated " + copied + " keys; placement now: " + sizes(data));
    for (int i = 0; i < KEYS; i++) {
      if (!("profile-" + i).equals(store.get("user:" + i))) {
        throw new IllegalStateException("user:" + i + " lost");
      }
    }
    out.println("all " + KEYS + " keys readable after the migration");
    return new Result(plan.fractionMoved(), 1.0 / 6, plan.moves().size(), copied, reads, hottest);
  }

  private static Map<String, Integer> sizes(Map<String, ConcurrentHashMap<String, String>> data) {
    Map<String, Integer> out = new TreeMap<>();
    data.forEach((id, m) -> out.put(id, m.size()));
    return out;
  }
}
