package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.random;
import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.storage.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() while a put is in flight and read-ahead tasks are queued on the same one-thread executor:
 * the put must finish (its ingest tasks, queued behind the read-ahead tasks, are run by the
 * executor or by the put itself; the read-ahead tasks must not park the executor behind the waiting
 * close), then close must complete.
 */
class CloseWhileBusyTest {
  @TempDir Path dir;

  @Test
  void closeWaitsForAnInFlightPutWithoutDeadlockingTheExecutor() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    ExecutorService callers = Executors.newFixedThreadPool(3);
    try {
      Random r = new Random(71);
      DefaultObjectStore store = TestStores.create(dir, small().executor(pool).build());
      byte[] existing = random(r, 300_000);
      store.put("existing", new ByteArrayInputStream(existing));

      // Occupy the executor so that what is submitted next queues up behind this task.
      CountDownLatch releasePool = new CountDownLatch(1);
      TestStores.occupy(pool, releasePool);

      // A reader whose read-ahead tasks are queued on the executor: it reads the first chunk
      // itself and the next ones through them, so it reads one byte past the first chunk. Wait
      // until it waits for them: it schedules them one gate entry each, and an entry after close()
      // queued would (rightly) find the store closed instead of testing the queued tasks.
      InputStream reader = store.get("existing");
      AtomicReference<Thread> readerThread = new AtomicReference<>();
      Future<byte[]> readBack =
          callers.submit(
              () -> {
                readerThread.set(Thread.currentThread());
                int first = reader.read();
                byte[] rest = reader.readNBytes(reader.available() + 1);
                byte[] all = new byte[1 + rest.length];
                all[0] = (byte) first;
                System.arraycopy(rest, 0, all, 1, rest.length);
                return all;
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  readerThread.get() != null
                      && readerThread.get().getState() == Thread.State.WAITING);

      // A put that holds the gate and submits ingest tasks to the executor. Its input stalls
      // after the first segment until close() is queued (a put waiting for its segments processes
      // them itself, so without the stall it would be done before close() is called).
      CountDownLatch putStarted = new CountDownLatch(1);
      CountDownLatch resumePut = new CountDownLatch(1);
      InputStream data =
          new FilterInputStream(new ByteArrayInputStream(random(r, 3 << 19))) {
            private int reads;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (reads++ > 0) {
                putStarted.countDown();
                try {
                  resumePut.await();
                } catch (InterruptedException e) {
                  throw new java.io.InterruptedIOException();
                }
              }
              return super.read(b, off, len);
            }
          };
      Future<ObjectInfo> put = callers.submit(() -> store.put("in-flight", data));
      assertThat(putStarted.await(30, TimeUnit.SECONDS)).isTrue();

      // close() queues on the gate behind the put.
      Future<?> close = callers.submit(store::close);
      await().atMost(Duration.ofSeconds(30)).until(() -> store.gateQueueLength() > 0);

      resumePut.countDown();
      releasePool.countDown();
      assertThat(put.get(60, TimeUnit.SECONDS).size()).isEqualTo(3 << 19);
      close.get(60, TimeUnit.SECONDS);
      byte[] read = readBack.get(60, TimeUnit.SECONDS);
      assertThat(read.length).isGreaterThan(1);
      assertThat(read).isEqualTo(Arrays.copyOf(existing, read.length));
    } finally {
      callers.shutdownNow();
      pool.shutdownNow();
    }
    try (DefaultObjectStore reopened = TestStores.open(dir, small().build())) {
      assertThat(reopened.stat("in-flight")).isPresent();
    }
  }
}
