package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.sharding.internal.MaglevRouter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Item 6 of the issue: balance and movement of every scheme for 1M keys over 10/100/1000 nodes
 * (fixed keys 0..K-1 hashed with XXH3), asserted against each scheme's documented bound, and the
 * table printed and written to target/sharding-quality.md for the README.
 */
@Tag("integration")
class ShardingQualityTest {
  private static final int KEYS = 1_000_000;
  private static final int[] SIZES = {10, 100, 1000};
  private static final List<String> ROWS = new ArrayList<>();
  private static final long[] HASHES = new long[KEYS];

  static {
    KeyHasher h = KeyHasher.xxh3();
    for (int i = 0; i < KEYS; i++) {
      HASHES[i] = h.hashLong(i);
    }
  }

  /** Every scheme gets the full 1M keys (rendezvous at 1000 nodes costs ~5 s of the run). */
  private static int keysFor(Scheme scheme, int nodes) {
    return KEYS;
  }

  private static Map<String, Integer> counts(ShardRouter<SimpleNode> r, int keys) {
    Map<String, int[]> c = new HashMap<>();
    for (SimpleNode n : r.nodes()) {
      c.put(n.id(), new int[1]);
    }
    for (int i = 0; i < keys; i++) {
      c.get(r.routeHash(HASHES[i]).id())[0]++;
    }
    Map<String, Integer> out = new HashMap<>();
    c.forEach((k, v) -> out.put(k, v[0]));
    return out;
  }

  private static double maxOverMean(Map<String, Integer> counts, int keys) {
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    return max / (keys / (double) counts.size());
  }

  private static double moved(ShardRouter<SimpleNode> a, ShardRouter<SimpleNode> b, int keys) {
    int moved = 0;
    for (int i = 0; i < keys; i++) {
      if (!a.routeHash(HASHES[i]).id().equals(b.routeHash(HASHES[i]).id())) {
        moved++;
      }
    }
    return moved / (double) keys;
  }

  private static double buildMillis(Scheme scheme, List<SimpleNode> nodes) {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      ShardRouter<SimpleNode> r = TestNodes.router(scheme, nodes);
      long t1 = System.nanoTime();
      assertThat(r.size()).isEqualTo(nodes.size());
      best = Math.min(best, (t1 - t0) / 1e6);
    }
    return best;
  }

  /** Binomial noise allowance: a perfectly uniform scheme stays below 1 + 5 sigma. */
  private static double noiseFloor(int nodes, int keys) {
    return 1 + 5 * Math.sqrt(nodes / (double) keys);
  }

  @Test
  void everySchemeAtEverySize() {
    for (Scheme scheme : Scheme.values()) {
      for (int n : SIZES) {
        int keys = keysFor(scheme, n);
        List<SimpleNode> nodes = TestNodes.nodes(n);
        ShardRouter<SimpleNode> r = TestNodes.router(scheme, nodes);
        double balance = maxOverMean(counts(r, keys), keys);
        ShardRouter<SimpleNode> added = r.withNode(Node.of("added"));
        double addRatio = moved(r, added, keys) / (1.0 / (n + 1));
        ShardRouter<SimpleNode> removed = r.withoutNode("node-" + (n / 2));
        double removeRatio = moved(r, removed, keys) / (1.0 / n);
        String build =
            n == 1000 ? String.format(Locale.ROOT, "%.2f", buildMillis(scheme, nodes)) : "";
        String extra = "";
        if (scheme == Scheme.MAGLEV) {
          int[] e = ((MaglevRouter<SimpleNode>) r).entriesPerSlot();
          int max = 0;
          for (int v : e) {
            max = Math.max(max, v);
          }
          double exact = max / (ShardRouters.DEFAULT_MAGLEV_TABLE_SIZE / (double) n);
          extra = String.format(Locale.ROOT, " (table entries: %.3f)", exact);
          assertThat(exact).as("Maglev table balance").isLessThan(1.02);
        }
        ROWS.add(
            String.format(
                Locale.ROOT,
                "| %s | %d | %,d | %.3f%s | %.3f | %.2f | %.2f | %s |",
                scheme,
                n,
                keys,
                balance,
                extra,
                noiseFloor(n, keys),
                addRatio,
                removeRatio,
                build));
        assertBounds(scheme, n, keys, balance, addRatio, removeRatio);
      }
    }
  }

  private static void assertBounds(
      Scheme scheme, int n, int keys, double balance, double add, double remove) {
    double floor = noiseFloor(n, keys);
    // Movement noise: the moved count is binomial around the ideal.
    double moveNoise = 5 * Math.sqrt((n + 1.0) / keys);
    switch (scheme) {
      case JUMP:
        assertThat(balance).as("jump balance").isLessThan(floor);
        assertThat(add).as("jump add").isLessThan(1.1 + moveNoise);
        // Documented: removing a node that is not the last slot also moves the last slot.
        assertThat(remove).as("jump remove (documented 2x)").isBetween(1.5, 2.1 + 2 * moveNoise);
        break;
      case MAGLEV:
        assertThat(balance).as("maglev balance").isLessThan(floor + 0.02);
        // Maglev refills entries of other nodes too (documented): the extra disruption grows with
        // n and shrinks with M. Measured with M = 65537: 1.03x at 10 nodes, 1.5x at 100, 7x at
        // 1000.
        double bound = n <= 10 ? 1.1 : n <= 100 ? 1.7 : 8.0;
        assertThat(add).as("maglev add").isLessThan(bound + moveNoise);
        assertThat(remove).as("maglev remove").isLessThan(bound + moveNoise);
        break;
      case RING:
        // 100 points per node: each node's share has ~1/sqrt(100) = 10% relative deviation.
        assertThat(balance).as("ring balance").isLessThan(1.5);
        assertThat(add).as("ring add").isLessThan(1.4 + moveNoise);
        assertThat(remove).as("ring remove").isLessThan(1.4 + moveNoise);
        break;
      case MULTI_PROBE:
        assertThat(balance).as("multi-probe balance").isLessThan(floor + 0.2);
        assertThat(add).as("multi-probe add").isLessThan(1.25 + moveNoise);
        assertThat(remove).as("multi-probe remove").isLessThan(1.25 + moveNoise);
        break;
      case RENDEZVOUS:
      case ANCHOR:
        assertThat(balance).as(scheme + " balance").isLessThan(floor + 0.01);
        assertThat(add).as(scheme + " add").isLessThan(1.1 + moveNoise);
        assertThat(remove).as(scheme + " remove").isLessThan(1.1 + moveNoise);
        break;
      default:
        throw new AssertionError(scheme);
    }
  }

  @Test
  void maglevWithALargerTableMovesLessAtAThousandNodes() {
    int n = 1000;
    List<SimpleNode> nodes = TestNodes.nodes(n);
    ShardRouters.Builder b = ShardRouters.builder(Scheme.MAGLEV).maglevTableSize(655_373);
    ShardRouter<SimpleNode> r = b.build(nodes);
    double balance = maxOverMean(counts(r, KEYS), KEYS);
    double add = moved(r, r.withNode(Node.of("added")), KEYS) / (1.0 / (n + 1));
    double remove = moved(r, r.withoutNode("node-500"), KEYS) / (1.0 / n);
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      b.build(nodes);
      best = Math.min(best, (System.nanoTime() - t0) / 1e6);
    }
    ROWS.add(
        String.format(
            Locale.ROOT,
            "| MAGLEV M=655373 | %d | %,d | %.3f | %.3f | %.2f | %.2f | %.2f |",
            n,
            KEYS,
            balance,
            noiseFloor(n, KEYS),
            add,
            remove,
            best));
    assertThat(balance).isLessThan(noiseFloor(n, KEYS));
    // A 10x larger table cuts the 1000-node disruption from ~7x to ~4.4x of the ideal.
    assertThat(add).isLessThan(5.0);
    assertThat(remove).isLessThan(5.0);
  }

  @Test
  void boundedLoadsNeverExceedTheirCap() {
    for (int n : SIZES) {
      for (double c : new double[] {1.1, 1.25}) {
        BoundedLoadRouter<SimpleNode> r = BoundedLoadRouter.create(TestNodes.nodes(n), c);
        int keys = KEYS;
        long worstExcess = Long.MIN_VALUE;
        // All keys stay assigned (no releases): the load after i placements is i.
        List<BoundedLoadRouter.Lease<SimpleNode>> held = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++) {
          BoundedLoadRouter.Lease<SimpleNode> l = r.acquireHash(HASHES[i]);
          worstExcess = Math.max(worstExcess, l.loadAtAcquire() - l.capacityAtAcquire());
          held.add(l);
        }
        long max = 0;
        for (SimpleNode node : r.nodes()) {
          max = Math.max(max, r.load(node.id()));
        }
        double balance = max / (keys / (double) n);
        assertThat(worstExcess).as("load above cap at placement").isLessThanOrEqualTo(0);
        assertThat(max).isLessThanOrEqualTo((long) Math.ceil(c * keys / n));
        ROWS.add(
            String.format(
                Locale.ROOT,
                "| BOUNDED_LOAD c=%.2f | %d | %,d | %.3f | cap %.3f | | | |",
                c,
                n,
                keys,
                balance,
                Math.ceil(c * keys / n) / (keys / (double) n)));
        held.forEach(BoundedLoadRouter.Lease::release);
      }
    }
  }

  @AfterAll
  static void publish() throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| scheme | nodes | keys | max/mean keys | noise floor (1+5σ) | moved on add (× ideal 1/(n+1)) | moved on remove (× ideal 1/n) | build ms, 1000 nodes |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (String row : ROWS) {
      sb.append(row).append('\n');
    }
    System.out.println(sb);
    Path out = Path.of("target", "sharding-quality.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
  }
}
