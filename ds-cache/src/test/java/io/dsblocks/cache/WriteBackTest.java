package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBackTest {
  private final FakeTicker ticker = new FakeTicker();
  private final MemoryStore store = new MemoryStore();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private DsCache<String, String> cache;

  @TempDir Path dir;

  @AfterEach
  void tearDown() throws InterruptedException {
    CountDownLatch g = store.gate;
    if (g != null) {
      g.countDown();
    }
    if (cache != null) {
      cache.close();
    }
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private DsCache<String, String> build(
      UnaryOperator<WriteBackConfig.Builder<String, String>> wb,
      UnaryOperator<CacheConfig.Builder<String, String>> cc) {
    WriteBackConfig<String, String> settings =
        wb.apply(
                WriteBackConfig.<String, String>builder()
                    .maxDelay(Duration.ofHours(1)) // with the fake ticker: only full batches/flush
                    .retries(3, Duration.ofMillis(1), Duration.ofMillis(2), 0.5))
            .build();
    cache =
        Caches.create(
            cc.apply(
                    CacheConfig.<String, String>builder()
                        .ticker(ticker)
                        .maximumSize(1000)
                        .writeBack(store, settings))
                .build());
    return cache;
  }

  private void closeGateAndTakeFirstBatch() throws InterruptedException {
    assertThat(store.batchStarted.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void coalescesLastWriteWinsAndDeleteSupersedesPut() throws Exception {
    build(w -> w, c -> c);
    cache.put("k", "1");
    cache.put("k", "2");
    cache.put("k", "3");
    cache.put("j", "1");
    cache.delete("j");
    cache.put("m", "x");
    cache.delete("m");
    cache.put("m", "y");
    assertThat(store.history).isEmpty(); // nothing stored before the delay or a flush
    assertThat(cache.getIfPresent("k")).isEqualTo("3");
    assertThat(cache.getIfPresent("j")).isNull();
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.historyOf("k")).containsExactly("3");
    assertThat(store.historyOf("j")).containsExactly("<deleted>");
    assertThat(store.historyOf("m")).containsExactly("y");
    CacheStats s = cache.stats();
    assertThat(s.writesCoalesced()).isEqualTo(5);
    assertThat(s.storeWrites()).isEqualTo(3);
    assertThat(s.writeBackPending()).isZero();
  }

  @Test
  void perKeyOrderIsPreservedWhileABatchIsInFlight() throws Exception {
    store.gate = new CountDownLatch(1);
    build(w -> w.maxDelay(Duration.ZERO), c -> c);
    cache.put("k", "1");
    closeGateAndTakeFirstBatch(); // "k=1" is being stored and blocked there
    cache.put("k", "2");
    cache.put("k", "3");
    assertThat(cache.getIfPresent("k")).isEqualTo("3");
    store.gate.countDown();
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.historyOf("k")).containsExactly("1", "3");
  }

  @Test
  void batchesAreBoundedBySize() throws Exception {
    build(w -> w.maxBatchSize(3), c -> c);
    for (int i = 0; i < 10; i++) {
      cache.put("k" + i, "v" + i);
    }
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, 3));
    assertThat(store.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    assertThat(store.data).hasSize(10);
  }

  @Test
  void maxDelayStoresAPartialBatchWhenTheTickerPassesIt() throws Exception {
    build(w -> w.maxDelay(Duration.ofMillis(20)), c -> c);
    cache.put("a", "1");
    ticker.advance(Duration.ofMillis(25));
    // The writer re-checks the age at least every maxDelay of real time.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.data.containsKey("a"));
    assertThat(store.batchSizes).containsExactly(1);
  }

  @Test
  void failFastRefusesWhenFullAndLeavesTheCacheUnchanged() throws Exception {
    store.gate = new CountDownLatch(1);
    build(
        w ->
            w.maxDelay(Duration.ZERO)
                .maxPending(2)
                .overflowPolicy(OverflowPolicy.FAIL_FAST, Duration.ZERO),
        c -> c);
    cache.put("a", "1");
    closeGateAndTakeFirstBatch();
    cache.put("b", "1");
    cache.put("c", "1");
    assertThatThrownBy(() -> cache.put("d", "1"))
        .isInstanceOf(WriteBackQueueFullException.class)
        .hasMessageContaining("2 pending keys")
        .hasMessageContaining("key d");
    assertThat(cache.getIfPresent("d")).isNull();
    cache.put("b", "2"); // coalescing needs no room
    store.gate.countDown();
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.data).containsOnlyKeys("a", "b", "c").containsEntry("b", "2");
  }

  @Test
  void blockWaitsForRoomThenTimesOut() throws Exception {
    store.gate = new CountDownLatch(1);
    build(
        w ->
            w.maxDelay(Duration.ZERO)
                .maxPending(1)
                .overflowPolicy(OverflowPolicy.BLOCK, Duration.ofMillis(50)),
        c -> c);
    cache.put("a", "1");
    closeGateAndTakeFirstBatch();
    cache.put("b", "1");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> cache.put("c", "1"))
        .isInstanceOf(WriteBackQueueFullException.class)
        .hasMessageContaining("waited 50 ms");
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(cache.getIfPresent("c")).isNull();
  }

  @Test
  void aBlockedPutProceedsWhenTheWriterMakesRoom() throws Exception {
    store.gate = new CountDownLatch(1);
    build(
        w ->
            w.maxDelay(Duration.ZERO)
                .maxPending(1)
                .overflowPolicy(OverflowPolicy.BLOCK, Duration.ofSeconds(30)),
        c -> c);
    cache.put("x", "1");
    closeGateAndTakeFirstBatch();
    cache.put("y", "1"); // fills the queue
    java.util.concurrent.atomic.AtomicReference<Thread> putter =
        new java.util.concurrent.atomic.AtomicReference<>();
    Future<Long> blocked =
        pool.submit(
            () -> {
              putter.set(Thread.currentThread());
              return cache.put("z", "1");
            });
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> putter.get() != null && putter.get().getState() == Thread.State.TIMED_WAITING);
    assertThat(blocked).isNotDone();
    assertThat(cache.getIfPresent("z")).isNull(); // not in the cache while waiting for room
    store.gate.countDown();
    assertThat(blocked.get(10, TimeUnit.SECONDS)).isPositive();
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.data).containsKeys("x", "y", "z");
  }

  @Test
  void retriesWithBackoffThenHandsTheWriteToTheFailureHandler() throws Exception {
    List<String> retries = new CopyOnWriteArrayList<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    build(
        w ->
            w.failureHandler(
                (k, v, e, attempts) ->
                    failures.add(k + "=" + v + " " + e.getMessage() + " x" + attempts)),
        c ->
            c.listener(
                new CacheListener<>() {
                  @Override
                  public void onWriteBackRetry(int batchSize, int attempt, Throwable error) {
                    retries.add(batchSize + "#" + attempt);
                  }
                }));
    store.failNext.set(2);
    cache.put("ok", "1");
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(retries).containsExactly("1#1", "1#2");
    assertThat(store.data).containsEntry("ok", "1");
    assertThat(failures).isEmpty();

    store.failAlways = true;
    cache.put("lost", "2");
    cache.delete("gone");
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(failures)
        .containsExactlyInAnyOrder("lost=2 store unavailable x3", "gone=null store unavailable x3");
    assertThat(cache.stats().storeWriteFailures()).isEqualTo(2);
  }

  @Test
  void flushTimesOutWhileTheStoreIsStuck() throws Exception {
    store.gate = new CountDownLatch(1);
    build(w -> w, c -> c);
    cache.put("a", "1");
    assertThat(cache.flush(30, TimeUnit.MILLISECONDS)).isFalse();
    store.gate.countDown();
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closeDrainsIsIdempotentAndRefusesLaterWrites() {
    build(w -> w.maxBatchSize(7), c -> c);
    for (int i = 0; i < 100; i++) {
      cache.put("k" + (i % 30), "v" + i);
    }
    cache.close();
    cache.close();
    assertThat(store.data).hasSize(30);
    for (int k = 0; k < 30; k++) {
      int last = k + 30 * ((99 - k) / 30);
      assertThat(store.data.get("k" + k)).isEqualTo("v" + last);
    }
    assertThatThrownBy(() -> cache.put("late", "x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void readsSeePendingValuesEvenAfterEviction() throws Exception {
    store.gate = new CountDownLatch(1);
    build(w -> w, c -> c.policy(EvictionPolicy.LRU).maximumSize(1));
    store.data.put("a", "stale-in-store");
    store.data.put("c", "stale-in-store");
    cache.put("a", "new");
    cache.put("b", "1"); // evicts a from the cache; a is still queued
    assertThat(cache.getIfPresent("a")).isEqualTo("new");
    assertThat(cache.get("a")).isEqualTo("new");
    cache.delete("c");
    assertThat(cache.get("c")).isNull(); // the queued delete wins over the store
    cache.invalidate("b"); // local drop: the queued write stays visible
    assertThat(cache.getIfPresent("b")).isEqualTo("1");
    assertThat(store.loads).hasValue(0);
    cache.flush(0, TimeUnit.SECONDS); // requests a batch
    closeGateAndTakeFirstBatch();
    // in flight (taken from the queue, not yet stored): still visible
    cache.invalidateAll();
    assertThat(cache.getIfPresent("a")).isEqualTo("new");
    store.gate.countDown();
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.data).containsEntry("a", "new").doesNotContainKey("c");
  }

  @Test
  void journalReplaysPendingWritesIntoANewCache() throws Exception {
    Path journal = dir.resolve("wb.journal");
    store.gate = new CountDownLatch(1);
    build(
        w ->
            w.maxDelay(Duration.ZERO)
                .journal(journal, Codec.utf8(), Codec.utf8(), FsyncPolicy.EVERY_WRITE),
        c -> c);
    cache.put("a", "1");
    closeGateAndTakeFirstBatch(); // a=1 is stuck in the store: "crash" from here on
    cache.put("a", "2");
    cache.put("b", "1");
    cache.delete("b");
    cache.put("c", "3");
    Path copy = dir.resolve("crashed.journal");
    Files.copy(journal, copy, StandardCopyOption.REPLACE_EXISTING);

    MemoryStore fresh = new MemoryStore();
    fresh.gate = new CountDownLatch(1); // hold the replayed writes so we can see them pending
    List<JournalReport> reports = new CopyOnWriteArrayList<>();
    try (DsCache<String, String> recovered =
        Caches.create(
            CacheConfig.<String, String>builder()
                .maximumSize(10)
                .listener(
                    new CacheListener<>() {
                      @Override
                      public void onJournalRecovered(JournalReport report) {
                        reports.add(report);
                      }
                    })
                .writeBack(
                    fresh,
                    WriteBackConfig.<String, String>builder()
                        .maxDelay(Duration.ZERO)
                        .journal(copy, Codec.utf8(), Codec.utf8(), FsyncPolicy.NEVER)
                        .build())
                .build())) {
      assertThat(recovered.getIfPresent("a")).isEqualTo("2"); // pending, visible before stored
      assertThat(recovered.get("b")).isNull(); // a replayed delete hides the store's value
      fresh.gate.countDown();
      assertThat(recovered.flush(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(fresh.data)
        .containsOnly(java.util.Map.entry("a", "2"), java.util.Map.entry("c", "3"));
    assertThat(fresh.historyOf("b")).containsExactly("<deleted>");
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0).validRecords()).isEqualTo(5);
    assertThat(reports.get(0).replayedWrites()).isEqualTo(3);
    assertThat(reports.get(0).truncated()).isFalse();
    assertThat(Files.size(copy)).isZero(); // drained: journal reset
  }

  @Test
  void theJournalIsCompactedWhileTheQueueNeverDrainsAndStillReplaysCorrectly() throws Exception {
    Path journal = dir.resolve("busy.journal");
    store.gate = new CountDownLatch(1);
    build(
        w ->
            w.maxDelay(Duration.ZERO)
                .maxPending(100_000)
                .journalCompactionBytes(4096)
                .journal(journal, Codec.utf8(), Codec.utf8(), FsyncPolicy.NEVER),
        c -> c);
    cache.put("k0", "first");
    closeGateAndTakeFirstBatch(); // k0=first is in flight forever: the queue never drains
    long maxSize = 0;
    for (int i = 0; i < 3_000; i++) {
      cache.put("k" + (i % 20), "v" + i);
      maxSize = Math.max(maxSize, Files.size(journal));
    }
    // 3000 records of ~20 bytes would be ~60 KB; compaction keeps it near the threshold.
    assertThat(maxSize).isLessThan(4096 + 200);
    Path copy = dir.resolve("busy-copy.journal");
    Files.copy(journal, copy, StandardCopyOption.REPLACE_EXISTING);
    MemoryStore fresh = new MemoryStore();
    try (DsCache<String, String> recovered =
        Caches.create(
            CacheConfig.<String, String>builder()
                .writeBack(
                    fresh,
                    WriteBackConfig.<String, String>builder()
                        .journal(copy, Codec.utf8(), Codec.utf8(), FsyncPolicy.NEVER)
                        .build())
                .build())) {
      assertThat(recovered.flush(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(fresh.data).hasSize(20);
    for (int k = 0; k < 20; k++) {
      int last = k + 20 * ((2_999 - k) / 20);
      assertThat(fresh.data.get("k" + k)).isEqualTo("v" + last);
    }
  }

  @Test
  void refreshAheadNeverReloadsAKeyWhoseWriteIsStillQueued() throws Exception {
    List<Runnable> refreshes = new java.util.ArrayList<>();
    build(w -> w, c -> c.refreshAfterWrite(Duration.ofSeconds(10)).refreshExecutor(refreshes::add));
    store.data.put("k", "old-in-store");
    cache.put("k", "new");
    ticker.advance(Duration.ofSeconds(11));
    assertThat(cache.get("k")).isEqualTo("new");
    assertThat(refreshes).hasSize(1);
    refreshes.remove(0).run(); // the write is still queued: the refresh must not load "old"
    assertThat(cache.get("k")).isEqualTo("new");
    assertThat(store.loads).hasValue(0);
    assertThat(cache.flush(10, TimeUnit.SECONDS)).isTrue();
    store.data.put("k", "changed-at-source");
    assertThat(cache.get("k")).isEqualTo("new"); // triggers a refresh again, now allowed
    refreshes.remove(0).run();
    assertThat(cache.get("k")).isEqualTo("changed-at-source");
  }
}
