package io.dsblocks.cache.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RepairLogTest {

  private static byte[] k(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void remembersFailedKeysUntilRepairedOrRewritten() {
    RepairLog<String> log = new RepairLog<>(10);
    assertThat(log.needsRepair()).isFalse();
    log.remember(k("ns:a"), "a");
    log.remember(k("ns:b"), "b");
    log.remember(k("ns:a"), "a"); // a second failure of the same key is one entry
    assertThat(log.size()).isEqualTo(2);
    assertThat(log.needsRepair()).isTrue();
    log.forget(k("ns:b")); // a later write of b succeeded
    List<RepairLog.Pending<String>> batch = log.batch(10);
    assertThat(batch).extracting(RepairLog.Pending::key).containsExactly("a");
    assertThat(log.repaired(batch.get(0))).isTrue();
    assertThat(log.needsRepair()).isFalse();
  }

  @Test
  void aKeyThatFailsAgainDuringItsRepairStaysRemembered() {
    RepairLog<String> log = new RepairLog<>(10);
    log.remember(k("ns:a"), "a");
    RepairLog.Pending<String> inFlight = log.batch(1).get(0);
    log.remember(k("ns:a"), "a"); // failed again while the UNLINK was on the wire
    assertThat(log.repaired(inFlight)).isFalse();
    assertThat(log.size()).isEqualTo(1);
  }

  @Test
  void overflowFallsBackToClearingTheNamespace() {
    RepairLog<String> log = new RepairLog<>(2);
    log.remember(k("ns:a"), "a");
    log.remember(k("ns:b"), "b");
    log.remember(k("ns:b"), "b"); // already remembered: no overflow
    assertThat(log.namespaceDirty()).isFalse();
    log.remember(k("ns:c"), "c");
    assertThat(log.namespaceDirty()).isTrue();
    assertThat(log.overflows()).isEqualTo(1);
    log.remember(k("ns:d"), "d"); // dirty: the clear covers it, nothing recorded
    assertThat(log.size()).isEqualTo(2);
    assertThat(log.overflows()).isEqualTo(1);

    log.beginNamespaceClear(); // the clear covers a and b (or, if it fails, the next one does)
    assertThat(log.size()).isZero();
    assertThat(log.namespaceDirty()).isFalse();
    log.remember(k("ns:e"), "e"); // failed after the clear began: it may have been scanned already
    assertThat(log.batch(10)).extracting(RepairLog.Pending::key).containsExactly("e");
    assertThat(log.namespaceDirty()).isFalse();
  }

  @Test
  void aFailedClearLeavesTheNamespaceDirty() {
    RepairLog<String> log = new RepairLog<>(5);
    log.remember(k("ns:a"), "a");
    log.beginNamespaceClear();
    log.markNamespaceDirty(); // the clear failed: the next one must cover a
    assertThat(log.needsRepair()).isTrue();
    assertThat(log.namespaceDirty()).isTrue();
  }

  @Test
  void capacityZeroAlwaysClearsTheNamespace() {
    RepairLog<String> log = new RepairLog<>(0);
    log.remember(k("ns:a"), "a");
    assertThat(log.size()).isZero();
    assertThat(log.namespaceDirty()).isTrue();
  }

  @Test
  void batchesAreBounded() {
    RepairLog<String> log = new RepairLog<>(100);
    for (int i = 0; i < 25; i++) {
      log.remember(k("ns:" + i), "" + i);
    }
    assertThat(log.batch(10)).hasSize(10);
    assertThat(log.batch(100)).hasSize(25);
  }

  @Test
  void concurrentFailuresAndSuccessesLeaveExactlyTheKeysWhoseLastWriteFailed() throws Exception {
    int threads = 4;
    int keysPerThread = 25;
    RepairLog<String> log = new RepairLog<>(threads * keysPerThread);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger maxSeen = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    try {
      Future<?> sampler =
          pool.submit(
              () -> {
                while (!stop.get()) {
                  maxSeen.accumulateAndGet(log.size(), Math::max);
                }
              });
      List<Future<boolean[]>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(
            pool.submit(
                () -> {
                  Random random = new Random(1000 + id); // seeded: same interleaving per thread
                  boolean[] lastFailed = new boolean[keysPerThread];
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    int k = random.nextInt(keysPerThread);
                    byte[] key = k("ns:" + id + ":" + k);
                    if (random.nextBoolean()) {
                      log.remember(key, id + ":" + k);
                      lastFailed[k] = true;
                    } else {
                      log.forget(key);
                      lastFailed[k] = false;
                    }
                  }
                  return lastFailed;
                }));
      }
      start.countDown();
      List<String> expected = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean[] lastFailed = workers.get(t).get(30, TimeUnit.SECONDS);
        for (int k = 0; k < keysPerThread; k++) {
          if (lastFailed[k]) {
            expected.add(t + ":" + k);
          }
        }
      }
      stop.set(true);
      sampler.get(10, TimeUnit.SECONDS);
      assertThat(log.batch(Integer.MAX_VALUE))
          .extracting(RepairLog.Pending::key)
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(log.namespaceDirty()).isFalse(); // never more keys than its capacity
      assertThat(maxSeen.get()).isLessThanOrEqualTo(threads * keysPerThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentOverflowStaysBoundedAndMarksTheNamespace() throws Exception {
    int threads = 4;
    int capacity = 10;
    RepairLog<String> log = new RepairLog<>(capacity);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 2_000; i++) {
                    log.remember(k("ns:" + id + ":" + i), id + ":" + i);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> w : workers) {
        w.get(30, TimeUnit.SECONDS);
      }
      // The size check races with other rememberers: at most one extra key per thread.
      assertThat(log.size()).isBetween(capacity, capacity + threads);
      assertThat(log.namespaceDirty()).isTrue();
      assertThat(log.overflows()).isBetween(1L, (long) threads);
    } finally {
      pool.shutdownNow();
    }
  }
}
