package io.dsblocks.cache.internal.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.edge.EdgeCacheConfig;
import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Concurrent publish, purge (all three kinds) and eviction keep the indexes exact. */
class EdgeIndexStressTest {

  @Test
  void concurrentPublishPurgeAndEvictionLeaveNoOrphans() throws Exception {
    InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(1_767_225_600_000L));
    DefaultEdgeCache cache =
        new DefaultEdgeCache(
            EdgeCacheConfig.builder()
                .clock(clock)
                .maximumBytes(30_000)
                .maxObjectBytes(2_000)
                .build());
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final long seed = t;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                Random rnd = new Random(seed);
                for (int i = 0; i < 3_000; i++) {
                  int k = rnd.nextInt(64);
                  String key = "/s" + (k % 4) + "/" + k;
                  int op = rnd.nextInt(10);
                  if (op < 7) {
                    cache.publish(
                        EdgeRequest.get(key),
                        EdgeResponse.of(
                            200,
                            EdgeHeaders.of("Cache-Tag", "g" + rnd.nextInt(8)),
                            new byte[rnd.nextInt(1_500)]),
                        Set.of("t" + rnd.nextInt(8)));
                  } else if (op == 7) {
                    cache.purgeTag("t" + rnd.nextInt(8));
                  } else if (op == 8) {
                    cache.purgePrefix("/s" + rnd.nextInt(4) + "/");
                  } else {
                    cache.purge(key);
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    EdgeIndexPropertiesTest.assertIndexesMirrorContents(cache);
    assertThat(cache.stats().weightedBytes()).isLessThanOrEqualTo(30_000);
    assertThat(cache.stats().evicted()).isPositive();
    // Purging everything empties both indexes.
    cache.purgePrefix("");
    assertThat(cache.indexedKeys()).isEmpty();
    assertThat(cache.indexedTags()).isEmpty();
  }
}
