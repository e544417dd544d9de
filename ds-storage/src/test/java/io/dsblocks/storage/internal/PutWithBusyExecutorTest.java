package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.storage.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A put of many segments must not depend on the executor making progress: while it waits for a
 * segment no worker has started, the calling thread processes it itself. Here the store's only
 * executor thread is blocked for the whole put.
 */
class PutWithBusyExecutorTest {
  @TempDir Path dir;

  @Test
  void aMultiSegmentPutCompletesWhileEveryExecutorThreadIsBusy() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    CountDownLatch releasePool = new CountDownLatch(1);
    DefaultObjectStore store = TestStores.create(dir, small().executor(pool).build());
    try {
      Random r = new Random(5);
      byte[] data = random(r, 6 << 20);
      // Half the object again: the second put deduplicates against chunks of the first.
      byte[] overlapping = Arrays.copyOfRange(data, 1 << 20, 4 << 20);
      TestStores.occupy(pool, releasePool);

      Future<ObjectInfo> put =
          caller.submit(() -> store.put("big", new ByteArrayInputStream(data)));
      assertThat(put.get(60, TimeUnit.SECONDS).size()).isEqualTo(data.length);
      Future<ObjectInfo> second =
          caller.submit(() -> store.put("overlap", new ByteArrayInputStream(overlapping)));
      assertThat(second.get(60, TimeUnit.SECONDS).size()).isEqualTo(overlapping.length);
      // Both puts completed while the executor's only thread was still parked on releasePool.
      releasePool.countDown(); // reads use it for read-ahead
      try (InputStream in = store.get("big")) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
      try (InputStream in = store.get("overlap")) {
        assertThat(in.readAllBytes()).isEqualTo(overlapping);
      }
    } finally {
      // Release the executor before closing: close waits for a put still in flight.
      releasePool.countDown();
      store.close();
      caller.shutdownNow();
      pool.shutdownNow();
    }
  }
}
