package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.VerificationReport;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.pack.PackFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to committed packs: detected on read with the pack and object named, never returned as
 * data, limited to the objects that reference the damaged bytes, and listed by verify().
 */
class CorruptionTest {
  @TempDir Path dir;

  private final Map<String, byte[]> objects = new LinkedHashMap<>();
  private final Map<String, List<ChunkLocation>> where = new LinkedHashMap<>();

  @BeforeEach
  void fill() {
    Random r = new Random(31);
    try (DefaultObjectStore store = TestStores.create(dir, small().build())) {
      for (int i = 0; i < 24; i++) {
        byte[] data = random(r, 8_000 + r.nextInt(24_000));
        store.put("file-" + i, new ByteArrayInputStream(data));
        objects.put("file-" + i, data);
      }
      for (String k : objects.keySet()) {
        where.put(k, TestStores.locations(store, k));
      }
    }
  }

  private Set<String> objectsUsing(long packId, long offset) {
    Set<String> out = new TreeSet<>();
    where.forEach(
        (k, locs) -> {
          if (locs.stream().anyMatch(l -> l.packId() == packId && l.offset() == offset)) {
            out.add(k);
          }
        });
    return out;
  }

  private Set<String> objectsIn(long packId) {
    Set<String> out = new TreeSet<>();
    where.forEach(
        (k, locs) -> {
          if (locs.stream().anyMatch(l -> l.packId() == packId)) {
            out.add(k);
          }
        });
    return out;
  }

  private Set<String> unreadable(DefaultObjectStore store, String pack) {
    Set<String> failed = new TreeSet<>();
    for (Map.Entry<String, byte[]> e : objects.entrySet()) {
      try {
        assertThat(readAll(store.get(e.getKey()))).isEqualTo(e.getValue());
      } catch (StorageCorruptionException ex) {
        assertThat(ex.getMessage()).contains("object '" + e.getKey() + "'").contains(pack);
        failed.add(e.getKey());
      }
    }
    return failed;
  }

  private static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x04);
    }
  }

  @Test
  void aBitFlipInsideARecordAffectsOnlyTheObjectsUsingThatChunk() throws IOException {
    ChunkLocation victim = where.get("file-9").get(2);
    String pack = PackFormat.fileName(victim.packId());
    Set<String> expected = objectsUsing(victim.packId(), victim.offset());
    assertThat(expected).contains("file-9");
    // Flip a bit in the sealed payload (after the 44-byte record header).
    flip(dir.resolve("packs").resolve(pack), victim.offset() + 44 + victim.length() / 2);

    List<StorageCorruptionException> seen = new CopyOnWriteArrayList<>();
    StorageListener listener =
        new StorageListener() {
          @Override
          public void onCorruption(StorageCorruptionException error) {
            seen.add(error);
          }
        };
    try (DefaultObjectStore store = TestStores.open(dir, small().listener(listener).build())) {
      assertThatThrownBy(() -> readAll(store.get("file-9")))
          .isInstanceOf(StorageCorruptionException.class)
          .hasMessageContaining("object 'file-9' version")
          .hasMessageContaining(pack + " offset " + victim.offset());
      assertThat(unreadable(store, pack)).isEqualTo(expected);
      assertThat(seen).isNotEmpty();
      // Ranges that avoid the damaged chunk still read.
      assertThat(readAll(store.getRange("file-9", 0, 10)))
          .isEqualTo(java.util.Arrays.copyOf(objects.get("file-9"), 10));

      VerificationReport report = store.verify();
      assertThat(report.healthy()).isFalse();
      assertThat(report.damagedPacks())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.pack()).isEqualTo(pack);
                assertThat(p.damagedChunks()).isEqualTo(1);
                assertThat(p.reason()).contains("record checksum mismatch");
              });
      assertThat(report.damagedObjects())
          .extracting(VerificationReport.DamagedObject::key)
          .containsExactlyElementsOf(expected);
      assertThat(report.damagedObjects().get(0).packs()).containsExactly(pack);
      assertThat(report.chunksChecked()).isEqualTo(store.stats().chunks());
    }
  }

  @Test
  void aFlipThatKeepsTheChecksumValidIsStillCaughtByAuthentication() throws IOException {
    // Rewrite a record's payload and recompute its CRC: only AES-GCM can notice.
    ChunkLocation victim = where.get("file-4").get(0);
    Path pack = dir.resolve("packs").resolve(PackFormat.fileName(victim.packId()));
    byte[] bytes = Files.readAllBytes(pack);
    int off = (int) victim.offset();
    byte[] id = java.util.Arrays.copyOfRange(bytes, off, off + 32);
    int raw = Bytes.getInt(bytes, off + 32);
    byte[] sealed = java.util.Arrays.copyOfRange(bytes, off + 44, off + victim.length());
    sealed[sealed.length - 1] ^= 1; // the GCM tag
    System.arraycopy(PackFormat.recordHeader(id, raw, sealed), 0, bytes, off, 44);
    System.arraycopy(sealed, 0, bytes, off + 44, sealed.length);
    Files.write(pack, bytes);
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      assertThatThrownBy(() -> readAll(store.get("file-4")))
          .isInstanceOf(StorageCorruptionException.class)
          .hasMessageContaining("object 'file-4'")
          .hasMessageContaining(PackFormat.fileName(victim.packId()));
      assertThat(store.verify().damagedObjects())
          .extracting(VerificationReport.DamagedObject::key)
          .containsExactlyElementsOf(objectsUsing(victim.packId(), victim.offset()));
    }
  }

  @Test
  void aTruncatedOlderPackIsReportedAtOpenAndOtherObjectsStayReadable() throws IOException {
    ChunkLocation first = where.get("file-3").get(0);
    long packId = first.packId();
    String pack = PackFormat.fileName(packId);
    Path file = dir.resolve("packs").resolve(pack);
    long cut = first.offset() + 10;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(cut);
    }
    Set<String> expected = new TreeSet<>();
    where.forEach(
        (k, locs) -> {
          if (locs.stream().anyMatch(l -> l.packId() == packId && l.end() > cut)) {
            expected.add(k);
          }
        });
    List<String> damaged = new CopyOnWriteArrayList<>();
    StorageListener listener =
        new StorageListener() {
          @Override
          public void onPackDamaged(String p, String reason) {
            damaged.add(p + ": " + reason);
          }
        };
    try (DefaultObjectStore store = TestStores.open(dir, small().listener(listener).build())) {
      assertThat(damaged).singleElement().asString().startsWith(pack + ": truncated");
      Set<String> failed = unreadable(store, pack);
      assertThat(failed).contains("file-3").isEqualTo(expected);
      VerificationReport report = store.verify();
      assertThat(report.damagedPacks())
          .extracting(VerificationReport.DamagedPack::pack)
          .containsExactly(pack);
      assertThat(report.damagedObjects())
          .extracting(VerificationReport.DamagedObject::key)
          .containsExactlyElementsOf(failed);
    }
  }

  @Test
  void aMissingPackIsReportedAndOnlyItsObjectsFail() throws IOException {
    long packId = where.get("file-12").get(0).packId();
    String pack = PackFormat.fileName(packId);
    Files.delete(dir.resolve("packs").resolve(pack));
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      assertThat(store.recovery().damaged()).containsOnlyKeys(pack);
      assertThat(unreadable(store, pack)).isEqualTo(objectsIn(packId));
      VerificationReport report = store.verify();
      assertThat(report.damagedPacks())
          .singleElement()
          .satisfies(p -> assertThat(p.reason()).isEqualTo("pack file is missing"));
      assertThat(report.damagedObjects())
          .extracting(VerificationReport.DamagedObject::key)
          .containsExactlyElementsOf(objectsIn(packId));
    }
  }

  @Test
  void aDamagedTrailerIsReportedButDoesNotMakeChunksUnreadable() throws IOException {
    long packId = where.get("file-0").get(0).packId();
    String pack = PackFormat.fileName(packId);
    Path file = dir.resolve("packs").resolve(pack);
    flip(file, Files.size(file) - 16 - 5); // inside the sealed trailer
    try (DefaultObjectStore store = TestStores.open(dir, small().build())) {
      assertThat(unreadable(store, pack)).isEmpty();
      VerificationReport report = store.verify();
      assertThat(report.damagedPacks())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.pack()).isEqualTo(pack);
                assertThat(p.damagedChunks()).isZero();
                assertThat(p.reason()).contains("trailer checksum mismatch");
              });
      assertThat(report.damagedObjects()).isEmpty();
    }
  }
}
