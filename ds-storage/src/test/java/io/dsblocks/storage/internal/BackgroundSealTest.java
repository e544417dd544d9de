package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.small;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.internal.pack.PackWriteHook;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A put whose record fills a pack hands the pack's seal (trailer + fsync) to the store's executor
 * instead of waiting for it, and close takes back seals the executor has not run. The executor here
 * holds back pack seals until the test runs them (or never) and runs everything else (read-ahead)
 * at once; the objects are small enough to be ingested on the calling thread.
 */
class BackgroundSealTest {
  @TempDir Path dir;

  /** Queues pack seals until the test calls {@link #runQueued}; runs other tasks at once. */
  private static final class ManualExecutor extends AbstractExecutorService {
    private final Queue<Runnable> queued = new ArrayDeque<>();
    private boolean shutdown;

    @Override
    public void execute(Runnable command) {
      if (command.getClass().getName().endsWith("PackWriter$SealTask")) {
        synchronized (this) {
          queued.add(command);
        }
      } else {
        command.run();
      }
    }

    synchronized int queuedCount() {
      return queued.size();
    }

    void runQueued() {
      while (true) {
        Runnable r;
        synchronized (this) {
          r = queued.poll();
        }
        if (r == null) {
          return;
        }
        r.run();
      }
    }

    @Override
    public synchronized void shutdown() {
      shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
      shutdown = true;
      List<Runnable> left = new ArrayList<>(queued);
      queued.clear();
      return left;
    }

    @Override
    public synchronized boolean isShutdown() {
      return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
      return shutdown && queued.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return isTerminated();
    }
  }

  private static final class SealEvents implements StorageListener {
    final List<String> sealed = new CopyOnWriteArrayList<>();

    @Override
    public void onPackSealed(String pack, long bytes, int chunks) {
      sealed.add(pack);
    }
  }

  /** Puts 20 KiB random objects (stored about as large) until one fills a 64 KiB pack. */
  private static int putUntilAPackFills(DefaultObjectStore store, ManualExecutor executor) {
    Random r = new Random(5);
    int n = 0;
    while (executor.queuedCount() == 0) {
      byte[] data = new byte[20 << 10];
      r.nextBytes(data);
      store.put("k" + n, new ByteArrayInputStream(data));
      n++;
      assertThat(n).as("objects put before a pack filled").isLessThan(20);
    }
    return n;
  }

  /**
   * A store whose seals wait in a {@link ManualExecutor}, with one pack full and its seal queued.
   */
  private record FullPack(
      DefaultObjectStore store, ManualExecutor executor, SealEvents events, int objects)
      implements AutoCloseable {
    @Override
    public void close() {
      store.close();
    }
  }

  private FullPack storeWithAFullPack() {
    ManualExecutor executor = new ManualExecutor();
    SealEvents events = new SealEvents();
    DefaultObjectStore store =
        TestStores.create(dir, small().executor(executor).listener(events).build());
    int n = putUntilAPackFills(store, executor);
    assertThat(events.sealed).isEmpty();
    return new FullPack(store, executor, events, n);
  }

  private static void assertAllReadable(DefaultObjectStore store, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      try (var in = store.get("k" + i)) {
        assertThat(in.readAllBytes()).as("k%d", i).hasSize(20 << 10);
      }
    }
  }

  @Test
  void aPutThatFillsAPackReturnsBeforeTheSealAndTheExecutorSealsIt() throws Exception {
    // Every put returned (and committed, fsyncing the full pack's records) with the seal queued:
    // storeWithAFullPack checks that no seal happened yet.
    try (FullPack f = storeWithAFullPack()) {
      assertAllReadable(f.store(), f.objects());
      f.executor().runQueued();
      assertThat(f.events().sealed).hasSize(1);
      assertThat(f.store().verify().healthy()).isTrue();
    }
  }

  /**
   * close() while a background seal is running (held inside its trailer write) waits for it: the
   * seal completes once, the store then closes, and nothing touches the pack or the index after
   * close returned (the reopened store is healthy and reads every object).
   */
  @Test
  void closeWaitsForASealThatIsRunning() throws Exception {
    ManualExecutor executor = new ManualExecutor();
    SealEvents events = new SealEvents();
    AtomicBoolean armed = new AtomicBoolean();
    CountDownLatch sealWriting = new CountDownLatch(1);
    CountDownLatch releaseSeal = new CountDownLatch(1);
    String firstPack = "0000000000000001.pack";
    PackWriteHook hook =
        (file, position, length) -> {
          // Armed after the first pack filled: its next write is its trailer.
          if (armed.get() && file.getFileName().toString().equals(firstPack)) {
            sealWriting.countDown();
            try {
              releaseSeal.await();
            } catch (InterruptedException e) {
              throw new java.io.InterruptedIOException();
            }
          }
          return length;
        };
    ExecutorService threads = Executors.newFixedThreadPool(2);
    int n;
    try {
      DefaultObjectStore store =
          DefaultObjectStore.open(
              dir,
              small().executor(executor).listener(events).build(),
              true,
              TestStores.options(hook));
      n = putUntilAPackFills(store, executor);
      armed.set(true);
      Future<?> seal = threads.submit(executor::runQueued);
      assertThat(sealWriting.await(30, TimeUnit.SECONDS)).isTrue();

      AtomicReference<Thread> closer = new AtomicReference<>();
      Future<?> close =
          threads.submit(
              () -> {
                closer.set(Thread.currentThread());
                store.close();
              });
      // close() parks (waiting for the running seal, or for the pack's monitor it holds) and
      // does not finish while the seal is held.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  closer.get() != null
                      && (closer.get().getState() == Thread.State.WAITING
                          || closer.get().getState() == Thread.State.BLOCKED));
      assertThat(close).isNotDone();
      assertThat(events.sealed).isEmpty();

      releaseSeal.countDown();
      seal.get(30, TimeUnit.SECONDS);
      close.get(30, TimeUnit.SECONDS);
      assertThat(events.sealed).filteredOn(firstPack::equals).hasSize(1);
    } finally {
      releaseSeal.countDown();
      threads.shutdownNow();
    }
    try (DefaultObjectStore reopened = TestStores.open(dir, small().build())) {
      assertThat(reopened.verify().healthy()).isTrue();
      assertAllReadable(reopened, n);
    }
  }

  /**
   * An index rebuild indexes only packs with a trailer: a full pack whose background seal has not
   * run must be sealed first, or its chunks would drop out of the index.
   */
  @Test
  void anIndexRebuildSealsPacksWaitingForTheirSealFirst() throws Exception {
    try (FullPack f = storeWithAFullPack()) {
      f.store().rebuildIndex();
      // The full pack (and the current one, if the last put went on into a new pack).
      assertThat(f.events().sealed).hasSizeBetween(1, 2);
      int sealedByRebuild = f.events().sealed.size();
      f.executor().runQueued(); // already sealed by the rebuild: nothing happens
      assertThat(f.events().sealed).hasSize(sealedByRebuild);
      // Without the seal first, the full pack's chunks would be missing from the rebuilt index.
      assertAllReadable(f.store(), f.objects());
      assertThat(f.store().verify().healthy()).isTrue();
    }
  }

  @Test
  void closeSealsThePacksWhoseSealTheExecutorNeverRan() throws Exception {
    FullPack f = storeWithAFullPack();
    ManualExecutor executor = f.executor();
    SealEvents events = f.events();
    int n = f.objects();
    f.close();
    // close sealed the full pack itself (and the partly filled current one).
    assertThat(events.sealed).hasSizeGreaterThanOrEqualTo(1);
    int sealedAtClose = events.sealed.size();
    executor.runQueued(); // the task close took back: does nothing now
    assertThat(events.sealed).hasSize(sealedAtClose);
    try (DefaultObjectStore reopened = TestStores.open(dir, small().build())) {
      assertThat(reopened.verify().healthy()).isTrue();
      assertAllReadable(reopened, n);
    }
  }
}
