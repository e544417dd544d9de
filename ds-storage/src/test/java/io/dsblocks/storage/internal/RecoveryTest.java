package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.VerificationReport;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.pack.PackFormat;
import io.dsblocks.storage.internal.pack.PackRecovery;
import io.dsblocks.storage.internal.pack.PackState;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
  @TempDir Path dir;

  /** Records recovery events. */
  static final class Events implements StorageListener {
    final List<String> recovered = new CopyOnWriteArrayList<>();
    final List<String> damaged = new CopyOnWriteArrayList<>();
    final List<Long> dropped = new CopyOnWriteArrayList<>();

    @Override
    public void onPackRecovered(String pack, long keptBytes, long droppedBytes) {
      recovered.add(pack);
      dropped.add(droppedBytes);
    }

    @Override
    public void onPackDamaged(String pack, String reason) {
      damaged.add(pack + ": " + reason);
    }
  }

  private static InputStream failingAfter(byte[] data, int failAt) {
    return new InputStream() {
      int pos;

      @Override
      public int read() throws IOException {
        if (pos >= failAt) {
          throw new IOException("client went away");
        }
        return data[pos++] & 0xff;
      }
    };
  }

  @Test
  void crashDropsUncommittedTailsAndSealsThePackFromCommittedEntries() throws IOException {
    Random r = new Random(21);
    Map<String, byte[]> committed = new LinkedHashMap<>();
    StorageConfig config = small().packTargetSize(16 << 20).build();
    DefaultObjectStore store = TestStores.create(dir, config);
    for (int i = 0; i < 5; i++) {
      byte[] data = random(r, 30_000);
      store.put("k" + i, new ByteArrayInputStream(data));
      committed.put("k" + i, data);
    }
    // A put that appends records and then fails: they are in the pack but never committed.
    // Larger than two 1 MiB ingest segments, so records are appended before the input fails.
    byte[] doomed = random(r, 3 << 20);
    assertThatThrownBy(() -> store.put("doomed", failingAfter(doomed, 2_500_000)))
        .isInstanceOf(StorageException.class);
    Path pack = store.packsDir().resolve(PackFormat.fileName(1));
    long sizeAtCrash = Files.size(pack);
    long committedEnd =
        store.index.packEntries(1).stream().mapToLong(e -> e.location().end()).max().orElseThrow();
    assertThat(sizeAtCrash).isGreaterThan(committedEnd + 1_000_000);
    store.abandonForTesting();

    Events events = new Events();
    try (DefaultObjectStore reopened = TestStores.open(dir, small().listener(events).build())) {
      assertThat(events.recovered).containsExactly(PackFormat.fileName(1));
      assertThat(events.dropped).containsExactly(sizeAtCrash - committedEnd);
      assertThat(events.damaged).isEmpty();
      // Sealed from the committed entries: self-describing again, and no longer than needed.
      assertThat(PackState.sealedLength(reopened.db, 1)).isEqualTo(Files.size(pack));
      assertThat(reopened.packReader.readTrailer(1, reopened.sealer))
          .hasSize(reopened.index.packEntries(1).size());
      for (Map.Entry<String, byte[]> e : committed.entrySet()) {
        assertThat(readAll(reopened.get(e.getKey()))).isEqualTo(e.getValue());
      }
      assertThat(reopened.stat("doomed")).isEmpty();
      assertThat(reopened.verify().healthy()).isTrue();
      // New writes go to a new pack.
      reopened.put("after", new ByteArrayInputStream(new byte[] {1, 2}));
      assertThat(reopened.stats().packs()).isEqualTo(2);
    }
  }

  @Test
  void packsWithNothingCommittedAreRemovedAtOpen() throws IOException {
    DefaultObjectStore store = TestStores.create(dir, small().build());
    byte[] doomed = random(new Random(3), 3 << 20);
    assertThatThrownBy(() -> store.put("doomed", failingAfter(doomed, 2_500_000)))
        .isInstanceOf(StorageException.class);
    assertThat(PackRecovery.listPacks(store.packsDir())).isNotEmpty();
    Path packs = store.packsDir();
    store.abandonForTesting();
    try (DefaultObjectStore reopened = TestStores.open(dir, small().build())) {
      assertThat(PackRecovery.listPacks(packs)).isEmpty();
      assertThat(reopened.stats().packBytes()).isZero();
      assertThat(reopened.list("")).isEmpty();
    }
  }

  @Test
  void aMissingIndexRefusesToOpenAndTouchesNoPack() throws IOException {
    try (DefaultObjectStore store = TestStores.create(dir, small().build())) {
      store.put("k", new ByteArrayInputStream(random(new Random(1), 100_000)));
    }
    List<Long> packs = PackRecovery.listPacks(dir.resolve("packs"));
    try (var files = Files.walk(dir.resolve("index"))) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    assertThatThrownBy(() -> TestStores.open(dir, small().build()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("index of repository " + dir + " is missing");
    assertThat(PackRecovery.listPacks(dir.resolve("packs"))).isEqualTo(packs);
  }

  /**
   * Truncates the newest pack at many offsets (record headers, record bodies, the trailer, the
   * footer) and checks each time that the store opens, that objects are either returned intact or
   * refused with an error naming the pack and the object, that objects stored elsewhere are
   * unaffected, and that verify() reports exactly the objects that cannot be read.
   */
  @Test
  void truncatingTheNewestPackAnywhereNeverYieldsWrongDataAndIsReportedPrecisely()
      throws IOException {
    for (boolean sealed : new boolean[] {true, false}) {
      Path template = dir.resolve(sealed ? "template-sealed" : "template-unsealed");
      Random r = new Random(sealed ? 5 : 6);
      Map<String, byte[]> objects = new LinkedHashMap<>();
      Set<String> onlyInOlderPacks = new HashSet<>();
      long newest;
      long committedEnd;
      DefaultObjectStore store = TestStores.create(template, small().build());
      for (int i = 0; i < 12; i++) {
        byte[] data = random(r, 5_000 + r.nextInt(20_000));
        store.put("obj" + i, new ByteArrayInputStream(data));
        objects.put("obj" + i, data);
      }
      newest =
          PackRecovery.listPacks(store.packsDir()).stream().mapToLong(x -> x).max().orElseThrow();
      for (String k : objects.keySet()) {
        long finalNewest = newest;
        if (TestStores.locations(store, k).stream().noneMatch(l -> l.packId() == finalNewest)) {
          onlyInOlderPacks.add(k);
        }
      }
      committedEnd =
          store.index.packEntries(newest).stream()
              .mapToLong(e -> e.location().end())
              .max()
              .orElseThrow();
      if (sealed) {
        store.close();
      } else {
        store.abandonForTesting();
      }
      Path newestPack = template.resolve("packs").resolve(PackFormat.fileName(newest));
      long size = Files.size(newestPack);
      assertThat(onlyInOlderPacks).isNotEmpty();

      TreeSet<Long> offsets = new TreeSet<>(List.of(0L, 1L, 15L, 16L, 17L, 59L, 60L, size - 1));
      offsets.add(committedEnd);
      offsets.add(committedEnd - 1);
      offsets.add(Math.max(0, size - 16));
      offsets.add(Math.max(0, size - 17));
      Random pick = new Random(99);
      // Each run copies and reopens a repository (~0.3 s here): 14 offsets per mode keeps every
      // boundary above plus a few random cuts inside records.
      while (offsets.size() < 14) {
        offsets.add((long) pick.nextInt((int) size));
      }
      int run = 0;
      for (long offset : offsets) {
        Path copy = dir.resolve((sealed ? "s" : "u") + run++);
        TestStores.copyTree(template, copy);
        try (RandomAccessFile f =
            new RandomAccessFile(
                copy.resolve("packs").resolve(PackFormat.fileName(newest)).toFile(), "rw")) {
          f.setLength(offset);
        }
        Events events = new Events();
        try (DefaultObjectStore s = TestStores.open(copy, small().listener(events).build())) {
          List<String> damagedAtOpen = List.copyOf(events.damaged);
          Set<String> failed = new TreeSet<>();
          for (Map.Entry<String, byte[]> e : objects.entrySet()) {
            try {
              assertThat(readAll(s.get(e.getKey()))).isEqualTo(e.getValue());
            } catch (StorageCorruptionException ex) {
              assertThat(ex.getMessage())
                  .contains("object '" + e.getKey() + "'")
                  .contains(PackFormat.fileName(newest));
              failed.add(e.getKey());
            }
          }
          assertThat(failed).as("offset %d", offset).doesNotContainAnyElementsOf(onlyInOlderPacks);
          VerificationReport report = s.verify();
          Set<String> reported = new TreeSet<>();
          report.damagedObjects().forEach(o -> reported.add(o.key()));
          assertThat(reported).as("offset %d", offset).isEqualTo(failed);
          if (offset >= committedEnd) {
            assertThat(failed)
                .as("offset %d cuts only uncommitted bytes or the trailer", offset)
                .isEmpty();
            assertThat(report.healthy()).isTrue();
            assertThat(damagedAtOpen).isEmpty();
          } else {
            assertThat(failed).as("offset %d cuts committed records", offset).isNotEmpty();
            assertThat(report.damagedPacks())
                .extracting(VerificationReport.DamagedPack::pack)
                .containsExactly(PackFormat.fileName(newest));
            assertThat(damagedAtOpen)
                .singleElement()
                .asString()
                .startsWith(PackFormat.fileName(newest));
            // The damaged pack is left as found, so nothing more is lost.
            assertThat(Files.size(copy.resolve("packs").resolve(PackFormat.fileName(newest))))
                .isEqualTo(offset);
          }
          // Writing still works.
          s.put("new", new ByteArrayInputStream(new byte[] {7}));
          assertThat(readAll(s.get("new"))).containsExactly(7);
        }
      }
    }
  }

  @Test
  void rebuildIndexRestoresTheDedupIndexFromPackTrailersAlone() {
    Random r = new Random(8);
    Map<String, byte[]> objects = new LinkedHashMap<>();
    try (DefaultObjectStore store = TestStores.create(dir, small().build())) {
      for (int i = 0; i < 20; i++) {
        byte[] data = random(r, 10_000 + r.nextInt(30_000));
        store.put("o" + i, new ByteArrayInputStream(data));
        objects.put("o" + i, data);
      }
      long chunks = store.stats().chunks();
      List<ChunkLocation> before = new ArrayList<>(TestStores.locations(store, "o7"));
      // Lose the whole dedup index.
      store.db.deleteRange(store.db.chunks, new byte[0], new byte[] {(byte) 0xff, (byte) 0xff});
      store.db.deleteRange(
          store.db.packEntries, new byte[0], new byte[] {(byte) 0xff, (byte) 0xff});
      assertThatThrownBy(() -> readAll(store.get("o7")))
          .isInstanceOf(StorageCorruptionException.class)
          .hasMessageContaining("missing from the index");
      assertThat(store.rebuildIndex()).isEqualTo(chunks);
      assertThat(TestStores.locations(store, "o7")).isEqualTo(before);
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        assertThat(readAll(store.get(e.getKey()))).isEqualTo(e.getValue());
      }
      assertThat(store.verify().healthy()).isTrue();
      // The filter was rebuilt too: re-putting known data writes nothing new.
      store.put("again", new ByteArrayInputStream(objects.get("o3")));
      assertThat(store.stats().chunks()).isEqualTo(chunks);
    }
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      for (Map.Entry<String, byte[]> e : objects.entrySet()) {
        assertThat(readAll(store.get(e.getKey()))).isEqualTo(e.getValue());
      }
    }
  }
}
