package io.dsblocks.storage.internal;

import static io.dsblocks.storage.internal.TestStores.readAll;
import static io.dsblocks.storage.internal.TestStores.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageStats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads put objects built from a small shared pool of 4 KiB blocks (with fixed-size chunking
 * every block is one chunk), so the same new chunk is routinely being written by several puts at
 * once, while readers read what has been acknowledged. Invariants: every acknowledged version reads
 * back byte-identical, each distinct block is stored exactly once (exact chunk and byte counters
 * despite the races), version ids are unique, the newest version of each key is the one with the
 * highest id, and nothing is left in flight or damaged.
 */
class ConcurrentPutStressTest {
  @TempDir Path dir;

  private static final int BLOCK = 4096;

  @Test
  void concurrentPutsDeduplicateExactlyAndLoseNothing() throws Exception {
    Random seed = new Random(51);
    byte[][] pool = new byte[48][];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = TestStores.random(seed, BLOCK);
    }
    StorageConfig config =
        StorageConfig.builder()
            .fixedSizeChunking(BLOCK)
            .packTargetSize(256 << 10)
            .ingestThreads(3)
            .expectedChunks(4096)
            .build();
    int writers = 8;
    int putsPerWriter = 30;
    Map<String, String> shaByVersion = new ConcurrentHashMap<>();
    Map<String, List<ObjectInfo>> putsByKey = new ConcurrentHashMap<>();
    Set<ByteBuffer> distinctBlocks = ConcurrentHashMap.newKeySet();
    AtomicInteger refs = new AtomicInteger();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger readsChecked = new AtomicInteger();

    try (DefaultObjectStore store = TestStores.create(dir, config)) {
      ExecutorService threads = Executors.newFixedThreadPool(writers + 2);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        futures.add(
            threads.submit(
                () -> {
                  Random r = new Random(1000 + id);
                  start.await();
                  for (int i = 0; i < putsPerWriter; i++) {
                    ByteArrayOutputStream content = new ByteArrayOutputStream();
                    int blocks = 1 + r.nextInt(40);
                    for (int b = 0; b < blocks; b++) {
                      byte[] block =
                          r.nextInt(10) == 0
                              ? TestStores.random(r, BLOCK)
                              : pool[r.nextInt(pool.length)];
                      content.write(block);
                      distinctBlocks.add(ByteBuffer.wrap(block));
                    }
                    refs.addAndGet(blocks);
                    byte[] data = content.toByteArray();
                    String key = i % 3 == 0 ? "shared/" + (i % 4) : "w" + id + "/o" + i;
                    ObjectInfo info = store.put(key, new ByteArrayInputStream(data));
                    assertThat(info.size()).isEqualTo(data.length);
                    shaByVersion.put(key + "@" + info.versionId(), sha256(data));
                    putsByKey
                        .computeIfAbsent(
                            key, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(info);
                  }
                  return null;
                }));
      }
      for (int rd = 0; rd < 2; rd++) {
        futures.add(
            threads.submit(
                () -> {
                  start.await();
                  while (writing.get()) {
                    for (Map.Entry<String, String> e : shaByVersion.entrySet()) {
                      String[] kv = e.getKey().split("@");
                      byte[] got = readAll(store.get(kv[0], Long.parseLong(kv[1])));
                      assertThat(sha256(got)).isEqualTo(e.getValue());
                      readsChecked.incrementAndGet();
                      if (!writing.get()) {
                        break;
                      }
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (int w = 0; w < writers; w++) {
        futures.get(w).get(120, TimeUnit.SECONDS);
      }
      writing.set(false);
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();

      assertThat(readsChecked.get()).isPositive();
      assertThat(store.pending).isEmpty();
      checkInvariants(store, shaByVersion, putsByKey, distinctBlocks.size(), refs.get());
      assertThat(store.verify().healthy()).isTrue();
    }
    try (DefaultObjectStore reopened = TestStores.open(dir, config)) {
      checkInvariants(reopened, shaByVersion, putsByKey, distinctBlocks.size(), refs.get());
    }
  }

  private static void checkInvariants(
      DefaultObjectStore store,
      Map<String, String> shaByVersion,
      Map<String, List<ObjectInfo>> putsByKey,
      int distinctBlocks,
      int refs) {
    Set<Long> ids = new HashSet<>();
    long logical = 0;
    for (Map.Entry<String, List<ObjectInfo>> e : putsByKey.entrySet()) {
      ObjectInfo newest = null;
      for (ObjectInfo info : e.getValue()) {
        assertThat(ids.add(info.versionId())).as("unique version ids").isTrue();
        logical += info.size();
        if (newest == null || info.versionId() > newest.versionId()) {
          newest = info;
        }
        byte[] got = readAll(store.get(e.getKey(), info.versionId()));
        assertThat(sha256(got)).isEqualTo(shaByVersion.get(e.getKey() + "@" + info.versionId()));
      }
      assertThat(store.stat(e.getKey())).contains(newest);
      assertThat(store.versions(e.getKey())).hasSize(e.getValue().size());
    }
    StorageStats s = store.stats();
    assertThat(s.chunks()).as("each distinct block stored once").isEqualTo(distinctBlocks);
    assertThat(s.uniqueBytes()).isEqualTo((long) distinctBlocks * BLOCK);
    assertThat(s.logicalBytes()).isEqualTo(logical);
    assertThat(s.versions()).isEqualTo(ids.size());
    assertThat(s.dedupedChunks()).isEqualTo(refs - distinctBlocks);
  }
}
