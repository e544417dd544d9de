package io.dsblocks.cache.tier;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Codec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many threads on one tier: no lost or torn writes, and close while busy is clean. */
// Integration tier: these tests map real files and load Chronicle Map's ~900 classes (some
// generated at run time). In the unit-test JVM that made CacheLincheckTest, whose agent
// retransforms every loaded class, run for many minutes instead of ~20 s.
@Tag("integration")
class ChronicleMapTierStressTest {
  private static final int THREADS = 8;
  private static final int OPS_PER_THREAD = 8_000;
  private static final int OWN_KEYS = 64;
  private static final int SHARED_KEYS = 16;

  @TempDir Path dir;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void eachThreadReadsBackItsOwnLastWriteWhileOthersHammerTheMap() throws Exception {
    try (ChronicleMapTier<String, String> tier =
        ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
            .persistedTo(dir.resolve("stress.l2"))
            .entries(THREADS * OWN_KEYS + SHARED_KEYS)
            .averageKeySize(8)
            .averageValueSize(24)
            .maxBloatFactor(2.0)
            .build()) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Map<String, String>>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        results.add(pool.submit(() -> run(tier, id, start)));
      }
      start.countDown();
      Map<String, String> expected = new HashMap<>();
      for (Future<Map<String, String>> f : results) {
        expected.putAll(f.get(90, TimeUnit.SECONDS));
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      // After everyone is done, the map holds exactly each thread's last write to its keys.
      for (Map.Entry<String, String> e : expected.entrySet()) {
        assertThat(tier.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  /** Returns the final state of this thread's own keys (null value = removed). */
  private static Map<String, String> run(
      ChronicleMapTier<String, String> tier, int id, CountDownLatch start)
      throws InterruptedException {
    Random random = new Random(1_000L + id);
    Map<String, String> mine = new HashMap<>();
    start.await();
    for (int op = 0; op < OPS_PER_THREAD; op++) {
      int r = random.nextInt(100);
      String own = "t" + id + "-" + random.nextInt(OWN_KEYS);
      if (r < 35) {
        // Values vary in length so entries move between chunk counts.
        String v = own + "=" + op + "-" + "x".repeat(random.nextInt(40));
        tier.put(own, v, random.nextBoolean() ? null : Duration.ofHours(1));
        mine.put(own, v);
      } else if (r < 75) {
        String got = tier.get(own);
        if (!Objects.equals(got, mine.get(own))) {
          assertThat(got).as("thread %d reads its own key %s", id, own).isEqualTo(mine.get(own));
        }
      } else if (r < 85) {
        tier.remove(own);
        mine.put(own, null);
      } else {
        String shared = "shared-" + random.nextInt(SHARED_KEYS);
        if (r < 93) {
          tier.put(shared, shared + "@" + id, null);
        } else {
          String got = tier.get(shared);
          // Never a torn or foreign value: whatever some thread wrote whole for this key.
          if (got != null) {
            assertThat(got).startsWith(shared + "@");
          }
        }
      }
    }
    return mine;
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.MINUTES)
  void closeWhileThreadsAreBusyWaitsForThemAndThenFailsEveryCallCleanly() throws Exception {
    ChronicleMapTier<String, String> tier =
        ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
            .name("busy")
            .persistedTo(dir.resolve("busy.l2"))
            .entries(1_000)
            .averageKeySize(8)
            .averageValueSize(16)
            .build();
    int threads = 4;
    CountDownLatch warmedUp = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Throwable>> outcomes = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      outcomes.add(
          pool.submit(
              () -> {
                try {
                  for (int i = 0; i < 5_000_000; i++) {
                    String k = "k" + ((id * 31 + i) % 500);
                    tier.put(k, "v" + i, null);
                    tier.get(k);
                    if (i == 500) {
                      // By now this thread alone has written all 500 keys (i covers every
                      // residue mod 500), so the reopened file must hold exactly 500.
                      warmedUp.countDown();
                    }
                  }
                  return null; // never closed: the assertion below fails
                } catch (Throwable e) {
                  warmedUp.countDown();
                  return e;
                }
              }));
    }
    assertThat(warmedUp.await(30, TimeUnit.SECONDS)).isTrue();
    tier.close();
    for (Future<Throwable> f : outcomes) {
      assertThat(f.get(30, TimeUnit.SECONDS))
          .isInstanceOf(CacheTierException.class)
          .hasMessageStartingWith("tier 'busy' is closed");
    }
    pool.shutdown();
    // The file was closed cleanly under load and reopens with the entries.
    try (ChronicleMapTier<String, String> again =
        ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
            .persistedTo(dir.resolve("busy.l2"))
            .entries(1_000)
            .averageKeySize(8)
            .averageValueSize(16)
            .build()) {
      assertThat(again.openOutcome()).isEqualTo(ChronicleMapTier.OpenOutcome.REOPENED);
      assertThat(again.size()).isEqualTo(500);
    }
  }
}
