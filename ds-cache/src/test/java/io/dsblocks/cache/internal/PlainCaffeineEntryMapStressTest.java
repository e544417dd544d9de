package io.dsblocks.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.RemovalCause;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The two maps of {@link PlainCaffeineEntryMap} (values in Caffeine, records beside them) must
 * agree under concurrent writes, removals, reads and size evictions: no cached value without its
 * record, no record left behind, and every record read back carries the value read with it.
 */
class PlainCaffeineEntryMapStressTest {

  @Test
  void valuesAndRecordsStayInStepUnderConcurrentWritesAndEvictions() throws Exception {
    LongAdder evicted = new LongAdder();
    PlainCaffeineEntryMap<Integer, String> map =
        new PlainCaffeineEntryMap<>(
            CacheConfig.<Integer, String>builder()
                .maximumSize(64)
                .executor(Runnable::run) // evict on the writers' threads, concurrently with them
                .build(),
            (Integer key, Entry<String> entry, RemovalCause cause) -> evicted.increment());
    AtomicLong versions = new AtomicLong();
    int threads = 8;
    int ops = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = t;
      all.add(
          CompletableFuture.runAsync(
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                try {
                  start.await();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                for (int i = 0; i < ops; i++) {
                  int key = random.nextInt(256);
                  int op = random.nextInt(10);
                  if (op < 5) {
                    Entry<String> fresh =
                        new Entry<>("v" + key + ":" + i, versions.incrementAndGet());
                    map.compute(key, (k, old) -> fresh);
                  } else if (op < 6) {
                    map.compute(key, (k, old) -> null);
                  } else if (op < 7) {
                    map.compute(key, (k, old) -> old); // a refused compare-and-set
                  } else {
                    Entry<String> e = map.get(key);
                    if (e != null) {
                      assertThat(e.value).startsWith("v" + key + ":");
                    }
                  }
                }
              }));
    }
    start.countDown();
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);

    assertThat(evicted.sum()).as("the bound forced evictions").isPositive();
    assertThat(map.valueCount()).isLessThanOrEqualTo(64);
    assertThat(map.recordCount()).isEqualTo(map.valueCount());
    for (int key = 0; key < 256; key++) {
      Entry<String> e = map.get(key);
      assertThat(map.value(key)).isSameAs(e == null ? null : e.value);
    }
  }
}
