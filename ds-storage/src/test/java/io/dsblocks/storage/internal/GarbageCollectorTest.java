package io.dsblocks.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.GcOptions;
import io.dsblocks.storage.GcResult;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.Snapshot;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.VersionRetention;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
  @TempDir Path dir;

  private static Map<String, byte[]> fill(ObjectStore s, Random rnd, String prefix, int n) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ObjectStore.Batch b = s.batch()) {
      for (int i = 0; i < n; i++) {
        byte[] data = TestStores.random(rnd, 8_000 + rnd.nextInt(8_000));
        b.put(prefix + i, new ByteArrayInputStream(data));
        out.put(prefix + i, data);
      }
      b.commit();
    }
    return out;
  }

  private static void assertAll(ObjectStore s, Map<String, byte[]> expected) {
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertThat(TestStores.readAll(s.get(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void deletedObjectsAreReclaimedAndSnapshotsKeepWhatTheyShow() {
    Random rnd = new Random(7);
    try (DefaultObjectStore s = TestStores.create(dir, TestStores.small().build())) {
      Map<String, byte[]> keep = fill(s, rnd, "keep/", 20);
      Map<String, byte[]> snapped = fill(s, rnd, "snap/", 5);
      Snapshot snap = s.snapshots().create("s");
      Map<String, byte[]> gone = fill(s, rnd, "gone/", 20);
      gone.keySet().forEach(s::delete);
      snapped.keySet().forEach(s::delete);
      long packBytes = s.stats().packBytes();

      GcResult r = s.collectGarbage();
      assertThat(r.versionsPurged()).isEqualTo(40); // 20 objects + 20 markers
      assertThat(r.chunksSwept()).isPositive();
      assertThat(r.bytesReclaimed()).isPositive();
      assertThat(s.stats().reclaimedBytes()).isEqualTo(r.bytesReclaimed());
      assertThat(s.stats().packBytes()).isLessThan(packBytes - r.bytesReclaimed() / 2);
      assertAll(s, keep);
      assertThat(s.list("snap/")).isEmpty(); // deleted stays deleted though the snapshot keeps it
      try (ObjectStore view = s.snapshots().open(snap.id())) {
        assertAll(view, snapped);
        assertAll(view, keep);
      }
      assertThat(s.versions("gone/0")).isEmpty();
      assertThat(s.verify().healthy()).isTrue();

      // Deleting the snapshot frees the rest; a second cycle finds nothing more.
      s.snapshots().delete(snap.id());
      assertThat(s.collectGarbage().versionsPurged()).isEqualTo(10);
      GcResult idle = s.collectGarbage();
      assertThat(idle.versionsPurged()).isZero();
      assertThat(idle.chunksSwept()).isZero();
      assertAll(s, keep);
    }
    try (DefaultObjectStore s = TestStores.open(dir, TestStores.small().build())) {
      assertThat(s.verify().healthy()).isTrue();
      assertThat(s.list("")).hasSize(20);
    }
  }

  @Test
  void keepLatestDropsSupersededVersionsKeepAllKeepsThem() {
    Random rnd = new Random(3);
    try (DefaultObjectStore s = TestStores.create(dir, TestStores.small().build())) {
      byte[] v1 = TestStores.random(rnd, 10_000);
      byte[] v2 = TestStores.random(rnd, 10_000);
      long id1 = s.put("k", new ByteArrayInputStream(v1)).versionId();
      s.put("k", new ByteArrayInputStream(v2));
      assertThat(s.collectGarbage().versionsPurged()).isZero();
      assertThat(TestStores.readAll(s.get("k", id1))).isEqualTo(v1);
      GcResult r =
          s.collectGarbage(
              GcOptions.builder().versionRetention(VersionRetention.KEEP_LATEST).build());
      assertThat(r.versionsPurged()).isEqualTo(1);
      assertThat(s.versions("k")).hasSize(1);
      assertThat(TestStores.readAll(s.get("k"))).isEqualTo(v2);
      assertThat(s.verify().healthy()).isTrue();
    }
  }

  @Test
  void badOptionsFailAtBuild() {
    assertThatThrownBy(() -> GcOptions.builder().repackThreshold(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("repackThreshold must be in (0, 1] but was 0.0");
  }

  /** Simulated crash (the hook throws, the store is abandoned) at the two repack points. */
  /** Stored pages of a chunk list. */
  private static int pages(DefaultObjectStore s, long listId) {
    int n = 0;
    try (org.rocksdb.RocksIterator it = s.db.iterator(s.db.chunkLists)) {
      for (it.seek(Bytes.longBytes(listId));
          it.isValid() && Bytes.getLong(it.key(), 0) == listId;
          it.next()) {
        n++;
      }
    }
    return n;
  }

  /** What a put killed after spilling chunk-list pages leaves: pages no version references. */
  private static long orphanList(DefaultObjectStore s) {
    long id = s.listIds.next();
    byte[] refs = new byte[36 * 10];
    try (org.rocksdb.WriteBatch b = new org.rocksdb.WriteBatch()) {
      s.catalog.stagePage(b, id, 0, refs, refs.length);
      s.catalog.stagePage(b, id, 1, refs, refs.length);
      s.db.write(b, true);
    }
    return id;
  }

  @Test
  void chunkListsLeftByFailedPutsAreRemovedAndReferencedOnesKept() {
    Random rnd = new Random(11);
    // Over 4096 chunks of ~1 KiB each: the chunk lists are paged.
    byte[] big = TestStores.random(rnd, 5_000_000);
    byte[] snapped = TestStores.random(rnd, 5_000_000);
    StorageConfig config = TestStores.small().packTargetSize(1 << 20).build();
    try (DefaultObjectStore s = TestStores.create(dir, config)) {
      s.put("big", new ByteArrayInputStream(big));
      s.put("snapped", new ByteArrayInputStream(snapped));
      long bigList = s.catalog.latest("big").chunks().listId();
      long snappedList = s.catalog.latest("snapped").chunks().listId();
      assertThat(pages(s, bigList)).isEqualTo(2);
      s.snapshots().create("keeps snapped");
      s.delete("snapped");
      long orphan = orphanList(s);
      long[] duringCycle = new long[1];
      s.gcHookForTesting(
          new GcHook() {
            @Override
            public void afterMark() {
              // A put that started after the cycle began is spilling pages right now.
              duringCycle[0] = orphanList(s);
            }
          });
      GcResult first = s.collectGarbage(GcOptions.defaults());
      assertThat(first.orphanChunkLists()).isEqualTo(1);
      assertThat(pages(s, orphan)).as("failed put's pages").isZero();
      assertThat(pages(s, duringCycle[0])).as("a concurrent writer's pages").isEqualTo(2);
      assertThat(pages(s, bigList)).isEqualTo(2);
      assertThat(pages(s, snappedList)).as("kept by the snapshot").isEqualTo(2);
      assertThat(TestStores.readAll(s.get("big"))).isEqualTo(big);
      Snapshot snap = s.snapshots().list().get(0);
      try (ObjectStore view = s.snapshots().open(snap.id())) {
        assertThat(TestStores.readAll(view.get("snapped"))).isEqualTo(snapped);
      }

      // That writer died: the next cycle removes its pages; dropping the snapshot frees the rest.
      s.gcHookForTesting(GcHook.NONE);
      s.snapshots().delete(snap.id());
      GcResult second = s.collectGarbage(GcOptions.defaults());
      assertThat(second.orphanChunkLists()).isEqualTo(1);
      assertThat(pages(s, duringCycle[0])).isZero();
      assertThat(pages(s, snappedList)).as("purged with its row, not counted as orphan").isZero();
      assertThat(pages(s, bigList)).isEqualTo(2);
      assertThat(s.collectGarbage(GcOptions.defaults()).orphanChunkLists()).isZero();
    }
    try (DefaultObjectStore s = TestStores.open(dir, config)) {
      assertThat(TestStores.readAll(s.get("big"))).isEqualTo(big);
      assertThat(s.verify().healthy()).isTrue();
    }
  }

  @Test
  void crashDuringRepackLosesNothing() {
    for (String point : List.of("afterCopy", "afterSwitch")) {
      Path repo = dir.resolve(point);
      Random rnd = new Random(11);
      Map<String, byte[]> keep;
      try (DefaultObjectStore s = TestStores.create(repo, TestStores.small().build())) {
        // Interleave so every pack holds live and dead records.
        keep = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
          byte[] data = TestStores.random(rnd, 6_000);
          s.put("o" + i, new ByteArrayInputStream(data));
          if (i % 2 == 0) {
            keep.put("o" + i, data);
          }
        }
        for (int i = 1; i < 30; i += 2) {
          s.delete("o" + i);
        }
        s.gcHookForTesting(
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
        assertThatThrownBy(s::collectGarbage).hasMessage("crash");
        s.abandonForTesting();
      }
      try (DefaultObjectStore s = TestStores.open(repo, TestStores.small().build())) {
        assertAll(s, keep);
        assertThat(s.verify().healthy()).as(point).isTrue();
        GcResult r = s.collectGarbage();
        assertThat(r.packsDeleted()).as(point).isPositive();
        assertAll(s, keep);
        assertThat(s.verify().healthy()).isTrue();
      }
    }
  }

  /**
   * Writers keep re-putting content that shares chunks with objects being deleted while GC cycles
   * run back to back; afterwards every acknowledged object reads back byte-identical.
   */
  @Test
  void concurrentWritersNeverLoseADeduplicatedChunk() throws Exception {
    Random seedRnd = new Random(42);
    byte[][] pool = new byte[12][];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = TestStores.random(seedRnd, 6_000);
    }
    try (DefaultObjectStore s = TestStores.create(dir, TestStores.small().build())) {
      Map<String, byte[]> acked = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService threads = Executors.newFixedThreadPool(3);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        writers.add(
            threads.submit(
                () -> {
                  Random rnd = new Random(writer);
                  for (int i = 0; i < 150 && !stop.get(); i++) {
                    // Objects are concatenations of pool blocks: chunks repeat across objects.
                    byte[] a = pool[rnd.nextInt(pool.length)];
                    byte[] b = pool[rnd.nextInt(pool.length)];
                    byte[] data = new byte[a.length + b.length];
                    System.arraycopy(a, 0, data, 0, a.length);
                    System.arraycopy(b, 0, data, a.length, b.length);
                    String key = "w" + writer + "/" + rnd.nextInt(6);
                    s.put(key, new ByteArrayInputStream(data));
                    acked.put(key, data);
                    if (rnd.nextInt(3) == 0) {
                      String victim = "w" + writer + "/" + rnd.nextInt(6);
                      if (s.delete(victim)) {
                        acked.remove(victim);
                      }
                    }
                  }
                  return null;
                }));
      }
      int cycles = 0;
      long protectedSeen = 0;
      while (writers.stream().anyMatch(f -> !f.isDone())) {
        GcResult r =
            s.collectGarbage(
                GcOptions.builder()
                    .versionRetention(VersionRetention.KEEP_LATEST)
                    .repackThreshold(0.1)
                    .build());
        protectedSeen += r.chunksProtected();
        cycles++;
      }
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();
      s.collectGarbage();
      assertThat(cycles).isGreaterThan(1);
      for (Map.Entry<String, byte[]> e : acked.entrySet()) {
        assertThat(TestStores.readAll(s.get(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(s.list("")).hasSize(acked.size());
      assertThat(s.verify().healthy()).isTrue();
      System.out.println(
          "GC stress: " + cycles + " cycles, " + protectedSeen + " chunks kept by protection");
    }
  }
}
