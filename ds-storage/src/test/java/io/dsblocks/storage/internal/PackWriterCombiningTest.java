package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.pack.PackWriteHook;
import io.dsblocks.storage.internal.pack.PackWriter;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pack writer's write-combining buffer: an appended record reaches the file when its buffer
 * fills or a sync needs it; a combined write that fails makes every sync that needs one of its
 * records fail, also once the pack is sealed, and the sealed trailer lists only the records before
 * it; a channel closed by an interrupt loses no record.
 */
class PackWriterCombiningTest {
  @TempDir Path dir;

  private static final int BODY = 1_000;

  /** Records that fill more than one combining buffer. */
  private static final int MANY = PackWriter.COMBINE_BYTES / BODY + 20;

  private static StorageConfig config() {
    // Packs larger than the combining buffer, so buffers fill within one pack.
    return small().packTargetSize(4 << 20).build();
  }

  private static byte[] id(int i) {
    byte[] id = new byte[32];
    id[0] = (byte) i;
    id[1] = (byte) (i >>> 8);
    id[31] = 7;
    return id;
  }

  private static byte[] body(int i) {
    byte[] b = new byte[BODY];
    new Random(i).nextBytes(b);
    return b;
  }

  @Test
  void aRecordReachesTheFileWhenItsBufferFillsOrASyncNeedsIt() throws Exception {
    try (DefaultObjectStore store =
        DefaultObjectStore.open(dir, config(), true, TestStores.options(PackWriteHook.NONE))) {
      PackWriter w = store.packWriter;
      ChunkLocation first = w.append(id(0), body(0), BODY);
      Path file = store.packReader.path(first.packId());
      assertThat(Files.size(file)).as("only the pack header is written").isEqualTo(first.offset());
      w.syncUpTo(first.packId(), first.end());
      assertThat(Files.size(file)).isEqualTo(first.end());

      List<ChunkLocation> locations = new ArrayList<>();
      for (int i = 1; i <= MANY; i++) {
        locations.add(w.append(id(i), body(i), BODY));
      }
      ChunkLocation last = locations.get(locations.size() - 1);
      assertThat(last.packId()).isEqualTo(first.packId());
      long size = Files.size(file);
      assertThat(size)
          .as("a full buffer was written, the records after it were not")
          .isGreaterThan(first.end() + PackWriter.COMBINE_BYTES / 2)
          .isLessThan(last.end());

      w.syncUpTo(last.packId(), last.end());
      assertThat(Files.size(file)).isEqualTo(last.end());
      for (int i = 1; i <= MANY; i++) {
        byte[] record = store.packReader.readRecord(locations.get(i - 1), id(i));
        assertThat(tail(record, BODY)).isEqualTo(body(i));
      }
    }
  }

  @Test
  void aLargeRecordGoesOutInItsOwnSpanAfterTheBufferedOnes() throws Exception {
    try (DefaultObjectStore store =
        DefaultObjectStore.open(dir, config(), true, TestStores.options(PackWriteHook.NONE))) {
      PackWriter w = store.packWriter;
      int large = PackWriter.COMBINE_BYTES / 4 + 1;
      List<ChunkLocation> locations = new ArrayList<>();
      List<byte[]> bodies = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        byte[] b = i % 3 == 2 ? random(new Random(i), large) : body(i);
        bodies.add(b);
        locations.add(w.append(id(i), b, b.length));
      }
      ChunkLocation last = locations.get(locations.size() - 1);
      Path file = store.packReader.path(last.packId());
      // The first large record handed the buffer before it over, then itself: both written.
      assertThat(Files.size(file)).isGreaterThanOrEqualTo(locations.get(2).end());
      w.syncUpTo(last.packId(), last.end());
      assertThat(Files.size(file)).isEqualTo(last.end());
      for (int i = 0; i < locations.size(); i++) {
        byte[] b = bodies.get(i);
        assertThat(tail(store.packReader.readRecord(locations.get(i), id(i)), b.length))
            .isEqualTo(b);
      }
    }
  }

  @Test
  void aFailedCombinedWriteFailsEverySyncThatNeedsItsRecordsAlsoOnceThePackIsSealed()
      throws Exception {
    DiskFullTest.Device device = new DiskFullTest.Device();
    try (DefaultObjectStore store =
        DefaultObjectStore.open(dir, config(), true, TestStores.options(device))) {
      PackWriter w = store.packWriter;
      ChunkLocation kept = w.append(id(0), body(0), BODY);
      w.syncUpTo(kept.packId(), kept.end());
      ChunkLocation lost = w.append(id(1), body(1), BODY);
      assertThat(lost.packId()).isEqualTo(kept.packId());

      device.free.set(0);
      // Appends go on into the buffer and return; the write of the full buffer fails, and the
      // append after it cannot create a new pack on the full disk.
      StorageException stopped = null;
      for (int i = 2; i < 3 * MANY && stopped == null; i++) {
        try {
          w.append(id(i), body(i), BODY);
        } catch (StorageException e) {
          stopped = e;
        }
      }
      assertThat(stopped).hasMessageContaining("cannot create pack");

      assertThatThrownBy(() -> w.syncUpTo(lost.packId(), lost.end()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("No space left on device")
          .hasMessageContaining("offset " + kept.end());
      w.syncUpTo(kept.packId(), kept.end()); // the records before the failed write are fine

      device.free.set(Long.MAX_VALUE);
      w.sealNow(kept.packId());
      assertThat(w.isUnsealed(kept.packId())).isFalse();
      assertThatThrownBy(() -> w.syncUpTo(lost.packId(), lost.end()))
          .as("sealed, the pack still refuses the lost record")
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("No space left on device");
      List<IndexedChunk> trailer = store.packReader.readTrailer(kept.packId(), store.sealer);
      assertThat(trailer).extracting(IndexedChunk::location).containsExactly(kept);
      assertThat(tail(store.packReader.readRecord(kept, id(0)), BODY)).isEqualTo(body(0));
    }
  }

  @Test
  void aBatchWhoseRecordsWereLostInAFailedCombinedWriteDoesNotCommit() throws Exception {
    DiskFullTest.Device device = new DiskFullTest.Device();
    Random r = new Random(5);
    byte[] before = random(r, 20_000);
    byte[] small = random(r, 6_000);
    try (DefaultObjectStore store =
        DefaultObjectStore.open(dir, config(), true, TestStores.options(device))) {
      store.put("before", new ByteArrayInputStream(before));
      ObjectStore.Batch batch = store.batch();
      batch.put("small", new ByteArrayInputStream(small)); // its records stay in the buffer
      device.free.set(0);
      assertThatThrownBy(() -> store.put("big", new ByteArrayInputStream(random(r, 1 << 20))))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("No space left on device");
      device.free.set(Long.MAX_VALUE);
      assertThatThrownBy(batch::commit)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("No space left on device");
      batch.close();
      assertThat(store.stat("small")).isEmpty();
      assertThat(store.stat("big")).isEmpty();
      assertThat(store.pending).isEmpty();
      assertThat(store.verify().healthy()).isTrue();
      // The same chunks are written again, not deduplicated against the lost records.
      store.put("small", new ByteArrayInputStream(small));
      assertThat(readAll(store.get("small"))).isEqualTo(small);
      assertThat(readAll(store.get("before"))).isEqualTo(before);
    }
    try (DefaultObjectStore reopened = TestStores.open(dir, config())) {
      assertThat(reopened.recovery().damaged()).isEmpty();
      assertThat(readAll(reopened.get("small"))).isEqualTo(small);
      assertThat(readAll(reopened.get("before"))).isEqualTo(before);
      assertThat(reopened.verify().healthy()).isTrue();
    }
  }

  @Test
  void anInterruptedThreadWritingABufferLosesNoRecord() throws Exception {
    try (DefaultObjectStore store =
        DefaultObjectStore.open(dir, config(), true, TestStores.options(PackWriteHook.NONE))) {
      PackWriter w = store.packWriter;
      // Another thread's records are in the buffer this thread will write.
      List<ChunkLocation> locations =
          new ArrayList<>(
              CompletableFuture.supplyAsync(
                      () -> {
                        List<ChunkLocation> l = new ArrayList<>();
                        for (int i = 0; i < MANY / 2; i++) {
                          l.add(w.append(id(i), body(i), BODY));
                        }
                        return l;
                      })
                  .get());
      boolean stillInterrupted;
      Thread.currentThread().interrupt();
      try {
        for (int i = MANY / 2; i < MANY; i++) {
          // An interrupted thread's channel write closes the channel (ClosedByInterruptException).
          locations.add(w.append(id(i), body(i), BODY));
        }
      } finally {
        stillInterrupted = Thread.interrupted();
      }
      assertThat(stillInterrupted).as("the interrupt is kept for the caller").isTrue();
      ChunkLocation last = locations.get(locations.size() - 1);
      assertThat(Files.size(store.packReader.path(last.packId())))
          .as("the thread wrote a full buffer")
          .isGreaterThan(locations.get(0).offset() + PackWriter.COMBINE_BYTES / 2);
      w.syncUpTo(last.packId(), last.end());
      for (int i = 0; i < MANY; i++) {
        assertThat(locations.get(i).packId()).isEqualTo(last.packId());
        assertThat(tail(store.packReader.readRecord(locations.get(i), id(i)), BODY))
            .isEqualTo(body(i));
      }
    }
  }

  private static byte[] tail(byte[] record, int n) {
    return java.util.Arrays.copyOfRange(record, record.length - n, record.length);
  }
}
