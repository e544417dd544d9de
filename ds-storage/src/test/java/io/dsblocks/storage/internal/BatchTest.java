package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchTest {
  @TempDir Path dir;

  @Test
  void putsBecomeVisibleTogetherAtCommitInPutOrder() {
    Random r = new Random(61);
    byte[] a = random(r, 20_000);
    byte[] b = random(r, 70_000);
    try (DefaultObjectStore store = TestStores.create(dir, small().build())) {
      List<ObjectInfo> committed;
      try (ObjectStore.Batch batch = store.batch()) {
        batch.put("a", new ByteArrayInputStream(a), Map.of("n", "1"));
        batch.put("b", new ByteArrayInputStream(b));
        batch.put("a", new ByteArrayInputStream(b)); // a second version of the same key
        assertThat(batch.size()).isEqualTo(3);
        assertThat(store.stat("a")).isEmpty();
        assertThat(store.list("")).isEmpty();
        committed = batch.commit();
      }
      assertThat(committed).extracting(ObjectInfo::key).containsExactly("a", "b", "a");
      assertThat(committed.get(0).versionId()).isLessThan(committed.get(1).versionId());
      assertThat(committed.get(1).versionId()).isLessThan(committed.get(2).versionId());
      assertThat(committed.get(0).metadata()).containsEntry("n", "1");
      assertThat(readAll(store.get("a"))).isEqualTo(b);
      assertThat(readAll(store.get("a", committed.get(0).versionId()))).isEqualTo(a);
      assertThat(readAll(store.get("b"))).isEqualTo(b);
      // "b" and the second "a" share every chunk.
      assertThat(store.stats().uniqueBytes()).isEqualTo(a.length + b.length);
      assertThat(store.pending).isEmpty();
    }
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      assertThat(readAll(store.get("b"))).isEqualTo(b);
      assertThat(store.versions("a")).hasSize(2);
    }
  }

  @Test
  void deletesCommitAtomicallyWithThePutsInCallOrder() {
    Random r = new Random(63);
    byte[] a = random(r, 30_000);
    byte[] x1 = random(r, 10_000);
    byte[] x2 = random(r, 10_000);
    try (DefaultObjectStore store = TestStores.create(dir, small().build())) {
      store.put("old", new ByteArrayInputStream(a));
      store.put("x", new ByteArrayInputStream(x1));
      long versionsBefore = store.stats().versions();
      List<ObjectInfo> committed;
      try (ObjectStore.Batch batch = store.batch()) {
        batch.put("a", new ByteArrayInputStream(a));
        batch.delete("old");
        batch.delete("never-existed"); // no marker for a key that is not live
        batch.delete("x");
        batch.put("x", new ByteArrayInputStream(x2)); // put after delete: live again
        batch.put("y", new ByteArrayInputStream(x1));
        batch.delete("y"); // delete after put: deleted, the put's version kept
        batch.delete("y"); // a second delete of a deleted key: no second marker
        assertThat(batch.size()).isEqualTo(8);
        assertThat(readAll(store.get("old"))).as("nothing happens before the commit").isEqualTo(a);
        assertThatThrownBy(() -> batch.delete(""))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("key");
        committed = batch.commit();
        assertThatThrownBy(() -> batch.delete("a"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("batch was already committed or closed");
      }
      assertThat(committed).extracting(ObjectInfo::key).containsExactly("a", "x", "y");
      // 3 puts + markers for old, x and y.
      assertThat(store.stats().versions() - versionsBefore).isEqualTo(6);
      assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("a", "x");
      assertThat(readAll(store.get("x"))).isEqualTo(x2);
      assertThat(store.versions("never-existed")).isEmpty();
      List<ObjectInfo> xs = store.versions("x");
      assertThat(xs).extracting(ObjectInfo::deleteMarker).containsExactly(false, true, false);
      List<ObjectInfo> ys = store.versions("y");
      assertThat(ys).extracting(ObjectInfo::deleteMarker).containsExactly(true, false);
      assertThat(readAll(store.get("y", committed.get(2).versionId()))).isEqualTo(x1);
      // Version ids follow call order: the x marker lies between x's old and new versions.
      assertThat(xs.get(1).versionId()).isLessThan(committed.get(1).versionId());
      assertThat(xs.get(1).versionId()).isGreaterThan(committed.get(0).versionId());

      // A closed uncommitted batch deletes nothing.
      try (ObjectStore.Batch batch = store.batch()) {
        batch.delete("a");
      }
      assertThat(store.stat("a")).isPresent();
    }
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("a", "x");
      assertThat(store.stat("old")).isEmpty();
      assertThat(store.verify().healthy()).isTrue();
    }
  }

  @Test
  void aClosedUncommittedBatchLeavesNothingVisible() {
    try (DefaultObjectStore store = TestStores.create(dir, small().build())) {
      ObjectStore.Batch batch = store.batch();
      batch.put("x", new ByteArrayInputStream(random(new Random(1), 50_000)));
      batch.close();
      batch.close();
      assertThat(store.stat("x")).isEmpty();
      assertThat(store.pending).isEmpty();
      assertThat(store.stats().versions()).isZero();
      assertThatThrownBy(() -> batch.put("y", new ByteArrayInputStream(new byte[1])))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("batch was already committed or closed");
      assertThatThrownBy(batch::commit).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aFailedPutDropsOnlyItselfFromTheBatch() {
    try (DefaultObjectStore store = TestStores.create(dir, small().build())) {
      try (ObjectStore.Batch batch = store.batch()) {
        batch.put("good", new ByteArrayInputStream(new byte[] {1, 2, 3}));
        InputStream failing =
            new InputStream() {
              @Override
              public int read() throws IOException {
                throw new IOException("disk of the source died");
              }
            };
        assertThatThrownBy(() -> batch.put("bad", failing))
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("reading the data of 'bad' failed");
        batch.put("good2", new ByteArrayInputStream(new byte[] {4}));
        assertThat(batch.commit()).extracting(ObjectInfo::key).containsExactly("good", "good2");
      }
      assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("good", "good2");
      assertThat(store.verify().healthy()).isTrue();
    }
  }

  @Test
  void aBatchLargerThanTheFlushThresholdCommitsChunksEarlyButObjectsOnlyAtCommit() {
    Random r = new Random(62);
    try (DefaultObjectStore store =
        TestStores.create(dir, small().packTargetSize(1 << 20).build())) {
      try (ObjectStore.Batch batch = store.batch()) {
        for (int i = 0; i < 10; i++) {
          // ~1 KiB chunks: 10 x 600 KB is more than FLUSH_CHUNKS new chunks.
          batch.put("f" + i, new ByteArrayInputStream(random(r, 600_000)));
        }
        assertThat(store.stats().chunks()).as("index entries committed early").isPositive();
        assertThat(store.stats().versions()).isZero();
        assertThat(batch.commit()).hasSize(10);
      }
      assertThat(store.stats().versions()).isEqualTo(10);
      assertThat(store.verify().healthy()).isTrue();
    }
  }

  @Test
  void committingAfterTheStoreClosedFailsCleanly() {
    DefaultObjectStore store = TestStores.create(dir, small().build());
    ObjectStore.Batch batch = store.batch();
    batch.put("x", new ByteArrayInputStream(new byte[] {1}));
    store.close();
    assertThatThrownBy(batch::commit)
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is closed");
    batch.close();
    try (DefaultObjectStore reopened = TestStores.open(dir, small().build())) {
      assertThat(reopened.stat("x")).isEmpty();
    }
  }
}
