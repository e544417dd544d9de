package io.dsblocks.loadbalancer.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RttTableTest {

  @Test
  void firstSampleIsTakenAsIsThenSmoothed() {
    RttTable table = new RttTable(0.5);
    assertThat(table.rttNanos("eu", "us")).isNegative();
    table.record("eu", "us", Duration.ofMillis(100));
    assertThat(table.rttNanos("eu", "us")).isEqualTo(100_000_000L);
    table.record("eu", "us", Duration.ofMillis(50));
    assertThat(table.rttNanos("eu", "us")).isEqualTo(75_000_000L);
    table.forget("us");
    assertThat(table.rttNanos("eu", "us")).isNegative();
  }

  @Test
  void invalidInputIsRejected() {
    assertThatThrownBy(() -> new RttTable(0)).hasMessageContaining("alpha must be in (0, 1]");
    assertThatThrownBy(() -> new RttTable().record(" ", "us", Duration.ZERO))
        .hasMessageContaining("clientRegion must not be blank");
    assertThatThrownBy(() -> new RttTable().record("eu", "us", Duration.ofMillis(-1)))
        .hasMessageContaining("rtt must not be negative");
  }

  @Test
  void concurrentSamplesOfOnePairAreAllFolded() throws Exception {
    // alpha = 1 keeps the latest sample; with every thread recording the same value the result
    // must be exactly that value, and concurrent first samples must not throw or lose the row.
    RttTable table = new RttTable(1.0);
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 5_000; i++) {
                  table.record("eu", "r" + (i % 8), Duration.ofMillis(7));
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    for (int r = 0; r < 8; r++) {
      assertThat(table.rttNanos("eu", "r" + r)).isEqualTo(7_000_000L);
    }
    assertThat(table.snapshot().get("eu")).hasSize(8);
  }
}
