package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a get stream reads its chunks. */
class ObjectReadStreamTest {
  @TempDir Path dir;

  /**
   * The chunk a reader needs next is read on the reading thread, only the ones after it on the
   * executor: with the executor's only thread held, the first chunk of a many-chunk object still
   * arrives, and the rest follows once the executor runs again.
   */
  @Test
  void theChunkNeededNextIsReadOnTheReadingThread() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try (DefaultObjectStore store = TestStores.create(dir, small().executor(pool).build())) {
      byte[] data = random(new Random(3), 300_000); // about 300 chunks of 256 B to 4 KiB
      store.put("o", new ByteArrayInputStream(data));
      TestStores.occupy(pool, release);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = store.get("o")) {
        Future<Integer> firstChunk =
            reader.submit(
                () -> {
                  out.write(in.read());
                  int rest = in.available(); // the rest of the first chunk, already here
                  out.write(in.readNBytes(rest));
                  return 1 + rest;
                });
        assertThat(firstChunk.get(30, TimeUnit.SECONDS)).isBetween(256, 4096);
        release.countDown();
        out.write(in.readAllBytes());
      }
      assertThat(out.toByteArray()).isEqualTo(data);
    } finally {
      release.countDown();
      reader.shutdownNow();
      pool.shutdownNow();
    }
  }
}
