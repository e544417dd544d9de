package io.dsblocks.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.Snapshot;
import io.dsblocks.storage.SnapshotDiff;
import io.dsblocks.storage.StorageConfig;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotTest {
  @TempDir Path dir;

  private static void put(ObjectStore s, String key, byte[] data) {
    s.put(key, new ByteArrayInputStream(data));
  }

  @Test
  void createCostsTheSameWritesWhateverTheObjectCount() {
    long[] writes = new long[2];
    int[] counts = {5, 300};
    for (int round = 0; round < 2; round++) {
      try (DefaultObjectStore s =
              TestStores.create(dir.resolve("r" + round), TestStores.small().build());
          ObjectStore.Batch b = s.batch()) {
        for (int i = 0; i < counts[round]; i++) {
          b.put("k" + i, new ByteArrayInputStream(("v" + i).getBytes()));
        }
        b.commit();
        s.snapshots().create("warm-up"); // the first reserves a block of snapshot ids
        long before = s.db().writeCount();
        s.snapshots().create("s");
        writes[round] = s.db().writeCount() - before;
      }
    }
    assertThat(writes[0]).isEqualTo(1);
    assertThat(writes[1]).isEqualTo(writes[0]);
  }

  @Test
  void laterPutsAndDeletesAreInvisibleInTheSnapshot() throws Exception {
    Random rnd = new Random(1);
    byte[] a1 = TestStores.random(rnd, 20_000);
    byte[] a2 = TestStores.random(rnd, 3_000);
    byte[] b1 = TestStores.text(rnd, 9_000);
    try (DefaultObjectStore s = TestStores.create(dir, TestStores.small().build())) {
      put(s, "a", a1);
      put(s, "b", b1);
      Snapshot snap = s.snapshots().create("before", Map.of("env", "test"));
      put(s, "a", a2);
      s.delete("b");
      put(s, "c", a2);
      try (ObjectStore view = s.snapshots().open(snap.id())) {
        assertThat(TestStores.readAll(view.get("a"))).isEqualTo(a1);
        assertThat(TestStores.readAll(view.get("b"))).isEqualTo(b1);
        assertThat(TestStores.readAll(view.getRange("a", 100, 50)))
            .isEqualTo(java.util.Arrays.copyOfRange(a1, 100, 150));
        assertThatThrownBy(() -> view.get("c")).isInstanceOf(ObjectNotFoundException.class);
        assertThat(view.list("").stream().map(ObjectInfo::key)).containsExactly("a", "b");
        assertThat(view.stat("c")).isEmpty();
        assertThatThrownBy(() -> view.put("x", new ByteArrayInputStream(new byte[1])))
            .isInstanceOf(UnsupportedOperationException.class)
            .hasMessageContaining("read-only")
            .hasMessageContaining("'before'");
        assertThatThrownBy(() -> view.delete("a"))
            .isInstanceOf(UnsupportedOperationException.class);
      }
      assertThat(TestStores.readAll(s.get("a"))).isEqualTo(a2);
      List<ObjectInfo> restored = s.snapshots().restore(snap.id(), "", "restored/");
      assertThat(restored).extracting(ObjectInfo::key).containsExactly("restored/a", "restored/b");
      assertThat(TestStores.readAll(s.get("restored/b"))).isEqualTo(b1);
    }
    // Survives reopen.
    try (DefaultObjectStore s = TestStores.open(dir, TestStores.small().build())) {
      List<Snapshot> all = s.snapshots().list();
      assertThat(all).extracting(Snapshot::name).containsExactly("before");
      assertThat(all.get(0).labels()).containsEntry("env", "test");
      try (ObjectStore view = s.snapshots().open(all.get(0).id())) {
        assertThat(TestStores.readAll(view.get("a"))).isEqualTo(a1);
        assertThat(view.list("")).hasSize(2);
      }
      assertThat(s.snapshots().delete(all.get(0).id())).isTrue();
      assertThat(s.snapshots().delete(all.get(0).id())).isFalse();
      assertThat(s.snapshots().list()).isEmpty();
    }
  }

  @Test
  void batchInFlightIsEntirelyOutOfASnapshotTakenMeanwhile() {
    try (DefaultObjectStore s = TestStores.create(dir, TestStores.small().build())) {
      put(s, "x", new byte[] {1});
      long id = s.watermark.begin(); // a commit that has its id but has not written yet
      Snapshot snap = s.snapshots().create("mid");
      assertThat(snap.watermark()).isLessThan(id);
      put(s, "later", new byte[] {2}); // commits with a higher id while the first is in flight
      s.watermark.settle(id);
      try (ObjectStore view = s.snapshots().open(snap.id())) {
        assertThat(view.list("")).extracting(ObjectInfo::key).containsExactly("x");
      }
      assertThat(s.snapshots().create("after").watermark()).isGreaterThan(id);
    }
  }

  /** Random puts and deletes with snapshots in between, against an in-memory model. */
  @Test
  void diffAndViewsMatchAModelOverRandomHistories() {
    for (int seed = 0; seed < 4; seed++) {
      Random rnd = new Random(seed);
      Path repo = dir.resolve("seed" + seed);
      Instant[] now = {Instant.parse("2024-01-01T00:00:00Z")};
      StorageConfig config = TestStores.small().clock(() -> now[0]).build();
      try (DefaultObjectStore s = TestStores.create(repo, config)) {
        Map<String, Long> live = new TreeMap<>();
        List<Snapshot> snaps = new ArrayList<>();
        List<Map<String, Long>> models = new ArrayList<>();
        for (int op = 0; op < 60; op++) {
          String key = "k" + rnd.nextInt(8);
          int r = rnd.nextInt(10);
          if (r < 6) {
            ObjectInfo info = s.put(key, new ByteArrayInputStream(TestStores.text(rnd, 50)));
            live.put(key, info.versionId());
          } else if (r < 8) {
            s.delete(key);
            live.remove(key);
          } else {
            snaps.add(s.snapshots().create("s" + op));
            models.add(new HashMap<>(live));
          }
        }
        for (int i = 0; i < snaps.size(); i++) {
          try (ObjectStore view = s.snapshots().open(snaps.get(i).id())) {
            Map<String, Long> seen = new HashMap<>();
            for (ObjectInfo info : view.list("")) {
              seen.put(info.key(), info.versionId());
            }
            assertThat(seen).as("seed %d snapshot %d", seed, i).isEqualTo(models.get(i));
          }
          for (int j = 0; j < snaps.size(); j++) {
            SnapshotDiff d = s.snapshots().diff(snaps.get(i).id(), snaps.get(j).id());
            assertThat(d).isEqualTo(expected(models.get(i), models.get(j)));
          }
        }
      }
    }
  }

  private static SnapshotDiff expected(Map<String, Long> a, Map<String, Long> b) {
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      if (!a.containsKey(k)) {
        added.add(k);
      } else if (!b.containsKey(k)) {
        removed.add(k);
      } else if (!a.get(k).equals(b.get(k))) {
        changed.add(k);
      }
    }
    return new SnapshotDiff(added, removed, changed);
  }
}
