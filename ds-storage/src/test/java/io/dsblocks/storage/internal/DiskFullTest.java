package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.pack.PackWriteHook;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that fills up: pack writes are cut short (part of a record written, then ENOSPC). The
 * put fails with a StorageException, nothing of it becomes visible, earlier objects stay intact,
 * the store keeps working once space is back, and it reopens consistent.
 */
class DiskFullTest {
  @TempDir Path dir;

  /** Lets {@code free} more bytes through, then writes part of one write and fails. */
  static final class Device implements PackWriteHook {
    final AtomicLong free = new AtomicLong(Long.MAX_VALUE);

    @Override
    public int allow(Path file, long position, int length) {
      long left = free.getAndAdd(-length);
      if (left >= length) {
        return length;
      }
      free.set(0);
      return (int) Math.max(0, left / 2); // a torn write
    }
  }

  @Test
  void aFullDiskFailsThePutCleanlyAndTheStoreStaysConsistent() {
    Device device = new Device();
    StorageConfig config = small().packTargetSize(256 << 10).build();
    Random r = new Random(41);
    Map<String, byte[]> committed = new LinkedHashMap<>();
    DefaultObjectStore store =
        DefaultObjectStore.open(dir, config, true, TestStores.options(device));
    try {
      for (int i = 0; i < 6; i++) {
        byte[] data = random(r, 40_000);
        store.put("before-" + i, new ByteArrayInputStream(data));
        committed.put("before-" + i, data);
      }
      long versions = store.stats().versions();
      for (long room : new long[] {0, 10, 5_000, 100_000, 300_000}) {
        device.free.set(room);
        byte[] big = random(r, 2 << 20);
        assertThatThrownBy(() -> store.put("too-big", new ByteArrayInputStream(big)))
            .as("room %d", room)
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("No space left on device");
        assertThat(store.stat("too-big")).isEmpty();
        assertThat(store.stats().versions()).isEqualTo(versions);
        assertThat(store.pending).isEmpty();
        for (Map.Entry<String, byte[]> e : committed.entrySet()) {
          assertThat(readAll(store.get(e.getKey()))).isEqualTo(e.getValue());
        }
        assertThat(store.verify().healthy()).isTrue();
        // Space comes back: the next put works (in a fresh pack).
        device.free.set(Long.MAX_VALUE);
        byte[] after = random(r, 30_000);
        store.put("after-" + room, new ByteArrayInputStream(after));
        committed.put("after-" + room, after);
        versions++;
      }
    } finally {
      // Closing seals the packs abandoned after failed writes (there is room again).
      store.close();
    }
    try (DefaultObjectStore reopened = TestStores.open(dir, config)) {
      assertThat(reopened.recovery().damaged()).isEmpty();
      for (Map.Entry<String, byte[]> e : committed.entrySet()) {
        assertThat(readAll(reopened.get(e.getKey()))).isEqualTo(e.getValue());
      }
      assertThat(reopened.stat("too-big")).isEmpty();
      assertThat(reopened.verify().healthy()).isTrue();
    }
  }

  @Test
  void aStoreClosedWhileTheDiskIsStillFullRecoversAtTheNextOpen() {
    Device device = new Device();
    StorageConfig config = small().build();
    byte[] data = random(new Random(43), 50_000);
    DefaultObjectStore store =
        DefaultObjectStore.open(dir, config, true, TestStores.options(device));
    store.put("kept", new ByteArrayInputStream(data));
    device.free.set(1_000);
    assertThatThrownBy(
            () -> store.put("lost", new ByteArrayInputStream(random(new Random(44), 500_000))))
        .isInstanceOf(StorageException.class);
    device.free.set(0);
    store.close(); // cannot write trailers: packs stay unsealed, recovery handles them
    try (DefaultObjectStore reopened = TestStores.open(dir, config)) {
      assertThat(reopened.recovery().damaged()).isEmpty();
      assertThat(readAll(reopened.get("kept"))).isEqualTo(data);
      assertThat(reopened.stat("lost")).isEmpty();
      assertThat(reopened.verify().healthy()).isTrue();
    }
  }
}
