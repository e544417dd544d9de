package io.dsblocks.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.Compression;
import io.dsblocks.storage.GcOptions;
import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.ReplicationMode;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.StorageNodes;
import io.dsblocks.storage.StorageStats;
import io.dsblocks.storage.Tier;
import io.dsblocks.storage.TierMigrationResult;
import io.dsblocks.storage.TierPolicy;
import io.dsblocks.storage.TierStats;
import io.dsblocks.storage.VersionRetention;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.pack.PackTiers;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierTest {
  @TempDir Path dir;

  /** A clock the test moves by hand. */
  static final class ManualClock implements InstantSource {
    final AtomicReference<Instant> now =
        new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));

    @Override
    public Instant instant() {
      return now.get();
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }
  }

  private static Tier tierOfChunks(DefaultObjectStore s, String key) {
    List<ChunkLocation> locs = TestStores.locations(s, key);
    Tier t = PackTiers.tierOf(locs.get(0).packId());
    for (ChunkLocation l : locs) {
      assertThat(PackTiers.tierOf(l.packId()))
          .as("every chunk of %s in one tier", key)
          .isEqualTo(t);
    }
    return t;
  }

  private static void assertContent(DefaultObjectStore s, Map<String, byte[]> expected) {
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertThat(TestStores.readAll(s.get(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  private static void assertStatsExact(DefaultObjectStore s, String when) {
    StorageStats st = s.stats();
    Map<Tier, TierStats> recount = s.recountTierStats();
    assertThat(st.tiers()).as("incremental per-tier stats %s", when).isEqualTo(recount);
    long logical = 0;
    long stored = 0;
    long packs = 0;
    for (TierStats t : st.tiers().values()) {
      logical += t.logicalBytes();
      stored += t.storedBytes();
      packs += t.packs();
    }
    assertThat(logical).isEqualTo(st.logicalBytes());
    assertThat(stored).isEqualTo(st.storedBytes());
    assertThat(packs).isEqualTo(st.packs());
  }

  @Test
  void agePolicyMovesObjectsByLastReadOnTheInjectedClock() {
    ManualClock clock = new ManualClock();
    StorageConfig config =
        TestStores.small()
            .clock(clock)
            .tierPolicy(TierPolicy.byLastAccess(Duration.ofDays(30), Duration.ofDays(180)))
            .build();
    Random rnd = new Random(1);
    Map<String, byte[]> data = new LinkedHashMap<>();
    try (DefaultObjectStore s = TestStores.create(dir.resolve("r"), config)) {
      for (String k : List.of("a", "b", "c")) {
        data.put(k, TestStores.text(rnd, 20_000));
        s.put(k, new ByteArrayInputStream(data.get(k)));
      }
      TierMigrationResult first = s.tierMigrator().runOnce();
      assertThat(first.chunksMoved()).isZero();
      clock.advance(Duration.ofDays(10));
      long writes = s.db().writeCount();
      for (int i = 0; i < 50; i++) {
        TestStores.readAll(s.get("a")); // read 10 days after creation
      }
      assertThat(s.db().writeCount()).as("reads write nothing to the index").isEqualTo(writes);
      clock.advance(Duration.ofDays(25)); // a: 25 days since read; b, c: 35 days since written
      TierMigrationResult r = s.tierMigrator().runOnce();
      assertThat(r.keys()).isEqualTo(3);
      assertThat(r.versionsReassigned()).isEqualTo(2);
      assertThat(r.chunksMoved()).isPositive();
      assertThat(s.tierOf("a")).contains(Tier.HOT);
      assertThat(s.tierOf("b")).contains(Tier.COLD);
      assertThat(tierOfChunks(s, "a")).isEqualTo(Tier.HOT);
      assertThat(tierOfChunks(s, "b")).isEqualTo(Tier.COLD);
      assertThat(tierOfChunks(s, "c")).isEqualTo(Tier.COLD);
      assertContent(s, data);
      // The reads above happened today: one access record each for b and c at the next pass.
      clock.advance(Duration.ofDays(200));
      s.tierMigrator().runOnce();
      for (String k : data.keySet()) {
        assertThat(s.tierOf(k)).as(k).contains(Tier.ARCHIVAL);
        assertThat(tierOfChunks(s, k)).isEqualTo(Tier.ARCHIVAL);
      }
      TestStores.readAll(s.get("b")); // read again: b is young again
      s.tierMigrator().runOnce();
      assertThat(tierOfChunks(s, "b")).isEqualTo(Tier.HOT);
      assertThat(tierOfChunks(s, "c")).isEqualTo(Tier.ARCHIVAL);
      assertContent(s, data);
      assertStatsExact(s, "after age moves");
      assertThat(s.verify().healthy()).isTrue();
    }
    // Read records survive a reopen: the reads of a and c just above (flushed at close) make
    // them young again.
    try (DefaultObjectStore s = TestStores.open(dir.resolve("r"), config)) {
      assertThat(tierOfChunks(s, "c")).isEqualTo(Tier.ARCHIVAL);
      assertThat(s.tierMigrator().runOnce().chunksMoved()).isPositive();
      for (String k : data.keySet()) {
        assertThat(tierOfChunks(s, k)).as(k).isEqualTo(Tier.HOT);
      }
      assertContent(s, data);
    }
  }

  @Test
  void explicitMoveRecompressesPerTierReportsEventsAndPins() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicLong written = new AtomicLong();
    StorageListener listener =
        new StorageListener() {
          @Override
          public void onTierMigrationStarted(Tier from, Tier to, int chunks, long bytes) {
            events.add("start " + from + "->" + to);
          }

          @Override
          public void onTierMigrationFinished(
              Tier from, Tier to, int chunks, long bytesRead, long bytesWritten) {
            events.add("done " + from + "->" + to);
            written.addAndGet(bytesWritten);
          }
        };
    ManualClock clock = new ManualClock();
    StorageConfig config =
        TestStores.small()
            .clock(clock)
            .listener(listener)
            .tierPolicy(TierPolicy.byLastAccess(Duration.ofDays(30)))
            .build();
    byte[] text = TestStores.text(new Random(2), 300_000);
    try (DefaultObjectStore s = TestStores.create(dir.resolve("r"), config)) {
      s.put("doc", new ByteArrayInputStream(text));
      long hotStored = s.stats().tier(Tier.HOT).storedBytes();
      assertThat(s.stats().tier(Tier.HOT).logicalBytes()).isEqualTo(text.length);

      s.moveToTier("doc", Tier.COLD);
      // One start/done pair per committed batch of up to 256 chunks.
      assertThat(events).isNotEmpty().containsOnly("start HOT->COLD", "done HOT->COLD");
      assertThat(events.size() % 2).isZero();
      assertThat(tierOfChunks(s, "doc")).isEqualTo(Tier.COLD);
      try (var files = Files.list(dir.resolve("r").resolve("packs-cold"))) {
        assertThat(files.count()).isPositive();
      }
      TierStats cold = s.stats().tier(Tier.COLD);
      assertThat(cold.logicalBytes()).isEqualTo(text.length);
      assertThat(cold.uniqueBytes()).isEqualTo(s.stats().uniqueBytes());
      assertThat(cold.storedBytes()).isEqualTo(written.get());
      // The cold tier's zstd beats LZ4 on compressible text.
      assertThat(cold.storedBytes()).isLessThan(hotStored);
      assertThat(cold.compressionRatio()).isGreaterThan(1.0);
      assertThat(s.stats().tier(Tier.HOT).chunks()).isZero();
      assertThat(TestStores.readAll(s.get("doc"))).isEqualTo(text);
      assertThat(TestStores.readAll(s.getRange("doc", 1000, 5000)))
          .isEqualTo(Arrays.copyOfRange(text, 1000, 6000));

      s.moveToTier("doc", Tier.ARCHIVAL);
      assertThat(s.stats().tier(Tier.ARCHIVAL).storedBytes())
          .isLessThanOrEqualTo(cold.storedBytes());
      assertThat(tierOfChunks(s, "doc")).isEqualTo(Tier.ARCHIVAL);
      assertThat(TestStores.readAll(s.get("doc"))).isEqualTo(text);

      // Pinned: a read and the policy (object younger than 30 days) do not bring it back.
      TestStores.readAll(s.get("doc"));
      assertThat(s.tierMigrator().runOnce().chunksMoved()).isZero();
      assertThat(s.tierOf("doc")).contains(Tier.ARCHIVAL);
      s.clearTierPin("doc");
      s.tierMigrator().runOnce();
      assertThat(tierOfChunks(s, "doc")).isEqualTo(Tier.HOT);
      assertStatsExact(s, "after moves");
      // GC reclaims the copies the moves left behind (all but each tier's pack being written).
      s.collectGarbage(GcOptions.builder().repackThreshold(0.1).build());
      assertThat(s.stats().tier(Tier.COLD).packs()).isLessThanOrEqualTo(1);
      assertThat(s.stats().tier(Tier.ARCHIVAL).packs()).isLessThanOrEqualTo(1);
      assertStatsExact(s, "after GC");
      assertThat(s.verify().healthy()).isTrue();
      assertThatThrownBy(() -> s.moveToTier("missing", Tier.COLD))
          .isInstanceOf(ObjectNotFoundException.class);
    }
    try (DefaultObjectStore s = TestStores.open(dir.resolve("r"), config)) {
      s.collectGarbage(GcOptions.builder().repackThreshold(0.1).build());
      assertThat(s.stats().tier(Tier.COLD).packs()).isZero();
      assertThat(s.stats().tier(Tier.ARCHIVAL).packs()).isZero();
      assertThat(TestStores.readAll(s.get("doc"))).isEqualTo(text);
      assertStatsExact(s, "after reopen and GC");
    }
  }

  @Test
  void aSharedChunkLivesInTheHottestTierThatReferencesIt() {
    byte[] same = TestStores.random(new Random(3), 40_000);
    try (DefaultObjectStore s = TestStores.create(dir.resolve("r"), TestStores.small().build())) {
      s.put("hot-copy", new ByteArrayInputStream(same));
      s.put("cold-copy", new ByteArrayInputStream(same));
      s.moveToTier("cold-copy", Tier.COLD);
      assertThat(s.tierOf("cold-copy")).contains(Tier.COLD);
      assertThat(tierOfChunks(s, "cold-copy")).as("still used by a hot object").isEqualTo(Tier.HOT);
      assertThat(s.stats().tier(Tier.COLD).logicalBytes()).isEqualTo(same.length);
      assertThat(s.stats().tier(Tier.COLD).chunks()).isZero();
      s.moveToTier("hot-copy", Tier.ARCHIVAL);
      assertThat(tierOfChunks(s, "hot-copy")).as("hottest user is now cold").isEqualTo(Tier.COLD);
      s.delete("cold-copy");
      // Deleted but its versions are kept (KEEP_ALL_VERSIONS): still referenced, still COLD.
      s.tierMigrator().runOnce();
      assertThat(tierOfChunks(s, "hot-copy")).isEqualTo(Tier.COLD);
      s.collectGarbage(GcOptions.builder().versionRetention(VersionRetention.KEEP_LATEST).build());
      s.tierMigrator().runOnce();
      assertThat(tierOfChunks(s, "hot-copy")).isEqualTo(Tier.ARCHIVAL);
      assertThat(TestStores.readAll(s.get("hot-copy"))).isEqualTo(same);
      assertStatsExact(s, "after shared moves");
    }
  }

  @Test
  void perTierStatsEqualARecountAfterRandomPutsDeletesMovesAndGc() {
    Random rnd = new Random(4);
    List<byte[]> blocks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      blocks.add(TestStores.text(rnd, 3_000));
    }
    Map<String, byte[]> live = new HashMap<>();
    try (DefaultObjectStore s = TestStores.create(dir.resolve("r"), TestStores.small().build())) {
      for (int step = 0; step < 60; step++) {
        int op = rnd.nextInt(10);
        String key = "k" + rnd.nextInt(12);
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
        } else if (op < 7 && live.containsKey(key)) {
          s.moveToTier(key, Tier.values()[rnd.nextInt(3)]);
        } else if (op < 8 && live.containsKey(key)) {
          s.delete(key);
          live.remove(key);
        } else if (op < 9) {
          s.collectGarbage(
              GcOptions.builder()
                  .versionRetention(
                      rnd.nextBoolean()
                          ? VersionRetention.KEEP_LATEST
                          : VersionRetention.KEEP_ALL_VERSIONS)
                  .repackThreshold(0.2)
                  .build());
        } else {
          s.tierMigrator().runOnce();
        }
        if (step % 10 == 9) {
          assertStatsExact(s, "at step " + step);
        }
      }
      assertStatsExact(s, "at the end");
      assertContent(s, live);
      assertThat(s.verify().healthy()).isTrue();
    }
  }

  @Test
  void readsDuringMigrationAndGcAlwaysReturnTheRightBytes() throws Exception {
    Random rnd = new Random(5);
    Map<String, byte[]> data = new LinkedHashMap<>();
    try (DefaultObjectStore s = TestStores.create(dir.resolve("r"), TestStores.small().build())) {
      for (int i = 0; i < 6; i++) {
        data.put("o" + i, TestStores.text(rnd, 30_000));
        s.put("o" + i, new ByteArrayInputStream(data.get("o" + i)));
      }
      AtomicBoolean done = new AtomicBoolean();
      AtomicLong reads = new AtomicLong();
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      CountDownLatch started = new CountDownLatch(2);
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int seed = t;
        Thread th =
            new Thread(
                () -> {
                  Random r = new Random(100 + seed);
                  started.countDown();
                  // Bounded: stops when the mover is done, or after 20 000 reads.
                  for (int i = 0; i < 20_000 && !done.get(); i++) {
                    String k = "o" + r.nextInt(data.size());
                    try {
                      byte[] got = TestStores.readAll(s.get(k));
                      if (!Arrays.equals(got, data.get(k))) {
                        errors.add(new AssertionError("wrong bytes for " + k));
                        return;
                      }
                      reads.incrementAndGet();
                    } catch (RuntimeException e) {
                      errors.add(e);
                      return;
                    }
                  }
                });
        th.start();
        readers.add(th);
      }
      started.await();
      Tier[] order = {Tier.COLD, Tier.ARCHIVAL, Tier.HOT, Tier.ARCHIVAL, Tier.COLD, Tier.HOT};
      for (Tier tier : order) {
        for (String k : data.keySet()) {
          s.moveToTier(k, tier);
        }
        // Reclaims the old copies while the readers run (deletes the packs they were in).
        s.collectGarbage(GcOptions.builder().repackThreshold(0.05).build());
      }
      done.set(true);
      for (Thread th : readers) {
        th.join(TimeUnit.MINUTES.toMillis(2));
      }
      assertThat(errors).isEmpty();
      assertThat(reads.get()).isPositive();
      assertContent(s, data);
      assertThat(s.verify().healthy()).isTrue();
      assertStatsExact(s, "after concurrent moves");
    }
  }

  @Test
  void aCrashDuringMigrationLosesNothing() {
    for (String point : List.of("afterCopy", "afterSwitch")) {
      Path repo = dir.resolve(point);
      Random rnd = new Random(6);
      Map<String, byte[]> data = new LinkedHashMap<>();
      try (DefaultObjectStore s = TestStores.create(repo, TestStores.small().build())) {
        for (int i = 0; i < 8; i++) {
          data.put("o" + i, TestStores.text(rnd, 40_000));
          s.put("o" + i, new ByteArrayInputStream(data.get("o" + i)));
        }
        s.tierHookForTesting(
            new GcHook() {
              @Override
              public void afterCopy(long packId) {
                if (point.equals("afterCopy")) {
                  throw new IllegalStateException("crash");
                }
              }

              @Override
              public void afterSwitch(long packId) {
                if (point.equals("afterSwitch")) {
                  throw new IllegalStateException("crash");
                }
              }
            });
        assertThatThrownBy(() -> s.moveToTier("o3", Tier.COLD)).hasMessage("crash");
        s.abandonForTesting();
      }
      try (DefaultObjectStore s = TestStores.open(repo, TestStores.small().build())) {
        assertContent(s, data);
        assertThat(s.verify().healthy()).as(point).isTrue();
        assertStatsExact(s, "after a crash " + point);
        // The pin was durable before the crash: the next pass finishes the move.
        s.tierMigrator().runOnce();
        assertThat(tierOfChunks(s, "o3")).isEqualTo(Tier.COLD);
        s.collectGarbage(GcOptions.builder().repackThreshold(0.05).build());
        assertContent(s, data);
        assertThat(s.verify().healthy()).isTrue();
        assertStatsExact(s, "after finishing " + point);
      }
    }
  }

  @Test
  void tiersWorkWithReplicationAndAColdPackIsRepairedFromAReplica() throws Exception {
    List<StorageNode> nodes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      nodes.add(StorageNodes.directory("node-" + i, dir.resolve("nodes").resolve("n" + i)));
    }
    StorageConfig config = TestStores.small().replicas(nodes, 2, ReplicationMode.SYNC).build();
    byte[] text = TestStores.text(new Random(7), 50_000);
    try (DefaultObjectStore s = TestStores.create(dir.resolve("r"), config)) {
      s.put("doc", new ByteArrayInputStream(text));
      s.moveToTier("doc", Tier.COLD);
      Path coldDir = dir.resolve("r").resolve("packs-cold");
      List<Path> coldPacks;
      try (var files = Files.list(coldDir)) {
        coldPacks = files.toList();
      }
      assertThat(coldPacks).isNotEmpty();
      for (Path p : coldPacks) {
        Files.delete(p);
      }
      assertThat(TestStores.readAll(s.get("doc"))).isEqualTo(text);
      assertThat(s.verify().healthy()).isTrue();
      assertThat(s.replicationStats().underReplicatedPacks()).isZero();
    }
  }

  @Test
  void backgroundMigratorMovesObjectsOnItsOwn() {
    ManualClock clock = new ManualClock();
    StorageConfig config =
        TestStores.small()
            .clock(clock)
            .tierPolicy(TierPolicy.byLastAccess(Duration.ofDays(1)))
            .tierMigrationInterval(Duration.ofSeconds(1))
            .build();
    byte[] text = TestStores.text(new Random(8), 20_000);
    try (DefaultObjectStore s = TestStores.create(dir.resolve("r"), config)) {
      s.put("doc", new ByteArrayInputStream(text));
      clock.advance(Duration.ofDays(2));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> s.stats().tier(Tier.COLD).chunks() > 0);
      assertThat(s.tierOf("doc")).contains(Tier.COLD);
      assertThat(TestStores.readAll(s.get("doc"))).isEqualTo(text);
    }
  }

  @Test
  void badTierSettingsFailNamingTheFieldAndRange() {
    assertThatThrownBy(() -> TierPolicy.byLastAccess(Duration.ofDays(30), Duration.ofDays(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("archivalAfter must be greater than coldAfter (PT720H)")
        .hasMessageContaining("PT240H");
    assertThatThrownBy(() -> TierPolicy.byLastAccess(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("coldAfter must be at least PT1S but was PT0S");
    assertThatThrownBy(() -> TierPolicy.byLastAccess(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("coldAfter");
    assertThatThrownBy(() -> StorageConfig.builder().tierDirectory(Tier.HOT, dir).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tierDirectory: the HOT tier always uses the repository's packs/");
    assertThatThrownBy(
            () ->
                StorageConfig.builder()
                    .tierDirectory(Tier.COLD, dir.resolve("x"))
                    .tierDirectory(Tier.ARCHIVAL, dir.resolve("x"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("COLD and ARCHIVAL must use different directories");
    assertThatThrownBy(
            () -> StorageConfig.builder().tierMigrationInterval(Duration.ofMillis(500)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tierMigrationInterval must be 0 (off) or in [PT1S, PT168H] but was PT0.5S");
    assertThatThrownBy(() -> StorageConfig.builder().tierCompression(null, Compression.lz4()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tier");
    StorageConfig c =
        StorageConfig.builder().tierCompression(Tier.COLD, Compression.zstd(9)).build();
    assertThat(c.tierCompression(Tier.COLD)).isEqualTo(Compression.zstd(9));
    assertThat(c.tierCompression(Tier.ARCHIVAL)).isEqualTo(Compression.zstd(19));
    assertThat(c.tierCompression(Tier.HOT)).isEqualTo(Compression.lz4());
    assertThat(c.tierPolicy().enabled()).isFalse();
  }
}
