package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.dsblocks.storage.GcOptions;
import io.dsblocks.storage.NodeStats;
import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.ReplicationStats;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.StorageNodes;
import io.dsblocks.storage.StorageStats;
import io.dsblocks.storage.Tier;
import io.dsblocks.storage.VersionRetention;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.pack.PackFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStatsTest {
  @TempDir Path tmp;

  private List<StorageNode> nodes(int n) {
    List<StorageNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(StorageNodes.directory("node-" + i, nodeDir("node-" + i)));
    }
    return out;
  }

  private Path nodeDir(String id) {
    return tmp.resolve("nodes").resolve(id);
  }

  private static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x10);
    }
  }

  /** The space figures of a node's stats (what a recount can reproduce). */
  private static List<Long> space(NodeStats s) {
    return List.of(
        s.packs(), s.packBytes(), s.chunks(), s.uniqueBytes(), s.storedBytes(), s.logicalBytes());
  }

  private static void assertEqualsRecount(DefaultObjectStore s, String when) {
    Map<String, NodeStats> live = s.replicationStats().perNode();
    Map<String, NodeStats> recount = s.replicator.recountNodeStats(s.recountTierStats());
    assertThat(live.keySet()).containsExactlyElementsOf(recount.keySet());
    for (String id : live.keySet()) {
      assertThat(space(live.get(id)))
          .as("%s %s: packs, pack bytes, chunks, unique, stored, logical", id, when)
          .isEqualTo(space(recount.get(id)));
    }
  }

  @Test
  void perNodeStatsEqualARecountAfterRandomPutsDeletesGcMovesAndRepairs() throws IOException {
    // R = 3: the local copy plus 2 of the 3 nodes hold every pack.
    List<StorageNode> nodes = nodes(3);
    StorageConfig config = small().replicas(nodes, 3, ReplicationMode.SYNC).build();
    Random rnd = new Random(11);
    List<byte[]> blocks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      blocks.add(TestStores.text(rnd, 3_000));
    }
    Map<String, byte[]> live = new HashMap<>();
    Path repo = tmp.resolve("repo");
    int localRepairs = 0;
    int nodeRepairs = 0;
    try (DefaultObjectStore s = TestStores.create(repo, config)) {
      for (int step = 0; step < 60; step++) {
        int op = rnd.nextInt(12);
        String key = "k" + rnd.nextInt(10);
        if (step % 15 >= 7 && step % 15 <= 8 && !live.isEmpty()) {
          // Damage of both kinds at least four times each, whatever the random ops were.
          op = step % 15 == 7 ? 9 : 10;
          key = new java.util.TreeSet<>(live.keySet()).first();
        }
        if (op < 5) {
          byte[] body = new byte[0];
          for (int j = 0, n = 1 + rnd.nextInt(4); j < n; j++) {
            byte[] b =
                rnd.nextBoolean()
                    ? blocks.get(rnd.nextInt(blocks.size()))
                    : TestStores.text(rnd, 2_000);
            byte[] next = Arrays.copyOf(body, body.length + b.length);
            System.arraycopy(b, 0, next, body.length, b.length);
            body = next;
          }
          s.put(key, new ByteArrayInputStream(body));
          live.put(key, body);
        } else if (op < 6 && live.containsKey(key)) {
          s.delete(key);
          live.remove(key);
        } else if (op < 8) {
          s.collectGarbage(
              GcOptions.builder()
                  .versionRetention(
                      rnd.nextBoolean()
                          ? VersionRetention.KEEP_LATEST
                          : VersionRetention.KEEP_ALL_VERSIONS)
                  // 1.0 leaves partly dead packs in place: their swept chunks must leave the
                  // node sums without the pack being deleted.
                  .repackThreshold(rnd.nextBoolean() ? 0.2 : 1.0)
                  .build());
        } else if (op < 9 && live.containsKey(key)) {
          s.moveToTier(key, Tier.values()[rnd.nextInt(3)]);
        } else if (op < 10 && live.containsKey(key)) {
          // A damaged local record: the read is served by a node and the local pack repaired.
          ChunkLocation victim = TestStores.locations(s, key).get(0);
          flip(s.packReader.path(victim.packId()), victim.offset() + 44 + victim.length() / 2);
          s.packReader.evict(victim.packId());
          assertThat(readAll(s.get(key))).isEqualTo(live.get(key));
          localRepairs++;
        } else if (op < 11 && live.containsKey(key)) {
          // A damaged node copy: scrub rewrites it.
          ChunkLocation victim = TestStores.locations(s, key).get(0);
          String name = PackFormat.fileName(victim.packId());
          StorageNode holder = s.replicator.placement(name).get(rnd.nextInt(2));
          flip(nodeDir(holder.id()).resolve(name), victim.offset() + 44 + victim.length() / 2);
          assertThat(s.scrub(Long.MAX_VALUE).healthy()).isTrue();
          nodeRepairs++;
        }
        if (step % 10 == 9) {
          assertEqualsRecount(s, "at step " + step);
        }
      }
      assertEqualsRecount(s, "at the end");
      ReplicationStats rs = s.replicationStats();
      StorageStats st = s.stats();
      long chunks = 0;
      long unique = 0;
      long stored = 0;
      long logical = 0;
      long served = 0;
      long repairs = 0;
      for (NodeStats n : rs.perNode().values()) {
        chunks += n.chunks();
        unique += n.uniqueBytes();
        stored += n.storedBytes();
        logical += n.logicalBytes();
        served += n.readsServed();
        repairs += n.repairs();
        assertThat(n.pendingCopies()).isZero();
        assertThat(n.copyLag()).isEqualTo(Duration.ZERO);
        assertThat(n.copyFailures()).isZero();
      }
      // SYNC: every live chunk is in a sealed pack held by exactly 2 nodes.
      assertThat(chunks).isEqualTo(2 * st.chunks());
      assertThat(unique).isEqualTo(2 * st.uniqueBytes());
      assertThat(stored).isEqualTo(2 * st.storedBytes());
      // Attributed per node by unique bytes, rounded once per node.
      assertThat(logical).isBetween(2 * st.logicalBytes() - 3, 2 * st.logicalBytes() + 3);
      for (NodeStats n : rs.perNode().values()) {
        if (n.uniqueBytes() > 0) {
          assertThat(n.dedupRatio()).isCloseTo(st.dedupRatio(), within(1e-4));
        }
      }
      assertThat(localRepairs).isPositive();
      assertThat(nodeRepairs).isPositive();
      // At least one per damaged record (a concurrent read-ahead may meet it twice before the
      // local pack is repaired).
      assertThat(served).isGreaterThanOrEqualTo(localRepairs);
      assertThat(repairs).isEqualTo(nodeRepairs);
      for (Map.Entry<String, byte[]> e : live.entrySet()) {
        assertThat(readAll(s.get(e.getKey()))).isEqualTo(e.getValue());
      }
    }
    // After a reopen the holdings come from the nodes' listings.
    try (DefaultObjectStore s = TestStores.open(repo, config)) {
      assertEqualsRecount(s, "after reopen");
      assertThat(s.replicationStats().perNode().values())
          .allSatisfy(n -> assertThat(n.packs()).isPositive());
    }
  }

  static final class ManualClock implements InstantSource {
    final AtomicReference<Instant> now =
        new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void aNodeThatIsDownAccumulatesLagAndCatchesUp() throws IOException {
    List<StorageNode> base = nodes(3);
    ReplicationTest.FailingNode down = new ReplicationTest.FailingNode(base.get(2));
    List<StorageNode> nodes = List.of(base.get(0), base.get(1), down);
    ManualClock clock = new ManualClock();
    StorageConfig config = small().replicas(nodes, 3, ReplicationMode.ASYNC).clock(clock).build();
    Random rnd = new Random(12);
    down.fail = true;
    try (DefaultObjectStore s = TestStores.create(tmp.resolve("repo"), config)) {
      for (int i = 0; i < 8; i++) {
        s.put("k" + i, new ByteArrayInputStream(random(rnd, 40_000)));
      }
      // The healthy nodes get every copy; the down node's copies wait.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                ReplicationStats r = s.replicationStats();
                return r.node("node-0").pendingCopies() == 0
                    && r.node("node-1").pendingCopies() == 0
                    && r.node("node-2").copyFailures() > 0;
              });
      clock.now.set(clock.now.get().plus(Duration.ofMinutes(5)));
      ReplicationStats lagging = s.replicationStats();
      NodeStats d = lagging.node("node-2");
      assertThat(d.pendingCopies()).isPositive();
      assertThat(d.pendingCopies()).isEqualTo(lagging.underReplicatedPacks());
      assertThat(d.pendingBytes()).isEqualTo(lagging.underReplicatedBytes());
      assertThat(d.copyLag()).isEqualTo(Duration.ofMinutes(5));
      assertThat(d.copiesDone()).isZero();
      assertThat(d.packs()).isZero();
      assertThat(lagging.node("node-0").copyLag()).isEqualTo(Duration.ZERO);
      assertEqualsRecount(s, "while node-2 is down");

      down.fail = false;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> s.replicationStats().node("node-2").pendingCopies() == 0);
      ReplicationStats caughtUp = s.replicationStats();
      NodeStats c = caughtUp.node("node-2");
      assertThat(c.copyLag()).isEqualTo(Duration.ZERO);
      assertThat(c.pendingBytes()).isZero();
      assertThat(c.copiesDone()).isEqualTo(d.pendingCopies());
      assertThat(c.packs()).isEqualTo(d.pendingCopies());
      assertThat(c.copiedBytes()).isEqualTo(c.packBytes());
      assertThat(c.chunks()).isPositive();
      assertThat(caughtUp.underReplicatedPacks()).isZero();
      assertEqualsRecount(s, "after node-2 caught up");
    }
  }

  @Test
  void aCorruptedCopyRepairedShowsUpInTheCounters() throws IOException {
    // R = 3 over 2 nodes: every pack is on both, so a read can fall back twice.
    List<StorageNode> nodes = nodes(2);
    StorageConfig config = small().replicas(nodes, 3, ReplicationMode.SYNC).build();
    byte[] x = random(new Random(13), 50_000);
    try (DefaultObjectStore s = TestStores.create(tmp.resolve("repo"), config)) {
      s.put("x", new ByteArrayInputStream(x));
      ChunkLocation victim = TestStores.locations(s, "x").get(1);
      String name = PackFormat.fileName(victim.packId());
      List<StorageNode> order = s.replicator.placement(name);
      String first = order.get(0).id();
      String second = order.get(1).id();
      long at = victim.offset() + 44 + victim.length() / 2;
      flip(s.packReader.path(victim.packId()), at);
      flip(nodeDir(first).resolve(name), at);
      s.packReader.evict(victim.packId());

      assertThat(readAll(s.get("x"))).isEqualTo(x);
      ReplicationStats afterRead = s.replicationStats();
      assertThat(afterRead.node(first).readFallbacks()).isEqualTo(1);
      assertThat(afterRead.node(first).readsServed()).isZero();
      assertThat(afterRead.node(second).readsServed()).isEqualTo(1);
      assertThat(afterRead.node(second).readFallbacks()).isZero();
      assertThat(afterRead.node(first).repairs()).isZero();

      assertThat(s.scrub(Long.MAX_VALUE).healthy()).isTrue();
      ReplicationStats afterScrub = s.replicationStats();
      assertThat(afterScrub.node(first).repairs()).isEqualTo(1);
      assertThat(afterScrub.node(second).repairs()).isZero();
      assertThat(afterScrub.node(first).copyFailures()).isZero();
      assertThat(Files.readAllBytes(nodeDir(first).resolve(name)))
          .isEqualTo(Files.readAllBytes(s.packReader.path(victim.packId())));
      assertEqualsRecount(s, "after the repair");
    }
  }

  @Test
  void statsAreImmutableSnapshots() {
    List<StorageNode> nodes = nodes(3);
    StorageConfig config = small().replicas(nodes, 2, ReplicationMode.SYNC).build();
    Random rnd = new Random(14);
    try (DefaultObjectStore s = TestStores.create(tmp.resolve("repo"), config)) {
      s.put("a", new ByteArrayInputStream(TestStores.text(rnd, 40_000)));
      ReplicationStats before = s.replicationStats();
      Map<String, List<Long>> frozen = new HashMap<>();
      before.perNode().forEach((id, n) -> frozen.put(id, space(n)));
      long copies = before.perNode().values().stream().mapToLong(NodeStats::copiesDone).sum();
      assertThat(copies).isPositive();
      assertThat(before.perNode().keySet()).containsExactly("node-0", "node-1", "node-2");

      for (int i = 0; i < 4; i++) {
        s.put("b" + i, new ByteArrayInputStream(TestStores.text(rnd, 40_000)));
      }
      ReplicationStats after = s.replicationStats();
      assertThat(after.perNode().values().stream().mapToLong(NodeStats::copiesDone).sum())
          .isGreaterThan(copies);
      // The earlier snapshot did not move.
      before.perNode().forEach((id, n) -> assertThat(space(n)).isEqualTo(frozen.get(id)));
      assertThat(before.perNode().values().stream().mapToLong(NodeStats::copiesDone).sum())
          .isEqualTo(copies);
      assertThatThrownBy(() -> before.perNode().remove("node-0"))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> after.node("node-9"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("node-9")
          .hasMessageContaining("node-0");
      NodeStats busiest =
          after.perNode().values().stream()
              .max(java.util.Comparator.comparingLong(NodeStats::packs))
              .orElseThrow();
      assertThat(busiest.compressionRatio()).isGreaterThan(1.0); // text compresses
      assertThat(busiest.dedupRatio()).isGreaterThan(0.5);
      assertThat(busiest.reductionRatio()).isGreaterThan(0.5);
    }
    // Without nodes there is no per-node map.
    try (DefaultObjectStore s = TestStores.create(tmp.resolve("plain"), small().build())) {
      s.put("a", new ByteArrayInputStream(new byte[1000]));
      assertThat(s.replicationStats().perNode()).isEmpty();
    }
  }
}
