package io.dsblocks.ratelimit.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.circuitbreaker.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final ManualTicker ticker = new ManualTicker();

  private RetryBudget budget(double percent, int minPerSecond, int windowSeconds) {
    return RetryBudget.builder()
        .percentOfRequests(percent)
        .minRetriesPerSecond(minPerSecond)
        .window(Duration.ofSeconds(windowSeconds))
        .ticker(ticker)
        .build();
  }

  @Test
  void minimumAllowsRetriesWithoutTraffic() {
    RetryBudget b = budget(10, 2, 5); // 2/s * 5 s = 10 retries
    int granted = 0;
    while (b.tryAcquireRetry()) {
      granted++;
    }
    assertThat(granted).isEqualTo(10);
    assertThat(b.deniedRetries()).isEqualTo(1);
  }

  @Test
  void percentageOfRequestsAddsRetries() {
    RetryBudget b = budget(20, 0, 10);
    for (int i = 0; i < 100; i++) {
      b.onRequest();
    }
    assertThat(b.availableRetries()).isEqualTo(20);
    int granted = 0;
    while (b.tryAcquireRetry()) {
      granted++;
    }
    assertThat(granted).isEqualTo(20);
    for (int i = 0; i < 5; i++) {
      b.onRequest();
    }
    assertThat(b.tryAcquireRetry()).as("5 more requests at 20% = 1 more retry").isTrue();
    assertThat(b.tryAcquireRetry()).isFalse();
  }

  @Test
  void oldTrafficLeavesTheWindow() {
    RetryBudget b = budget(50, 0, 3);
    for (int i = 0; i < 10; i++) {
      b.onRequest();
    }
    assertThat(b.availableRetries()).isEqualTo(5);
    ticker.advance(Duration.ofSeconds(2));
    assertThat(b.availableRetries()).isEqualTo(5);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(b.availableRetries()).as("requests expired").isZero();
    assertThat(b.tryAcquireRetry()).isFalse();
  }

  @Test
  void sharedAcrossConcurrentCallersNeverExceedsTheRule() throws Exception {
    RetryBudget b = budget(10, 1, 10); // 10 + 10% of requests
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger granted = new AtomicInteger();
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        fs.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 1_000; i++) {
                    b.onRequest();
                    for (int k = 0; k < 3; k++) {
                      if (b.tryAcquireRetry()) {
                        granted.incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get(30, TimeUnit.SECONDS);
      }
      // 8000 requests: 10 + 800 retries at most, and the greedy callers use all of it
      assertThat(granted.get()).isEqualTo(810);
      assertThat(b.availableRetries()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void retryStopsWhenBudgetIsExhausted() {
    RetryBudget b = budget(0, 1, 2); // 2 retries in the window, shared
    Retry r1 =
        Retry.builder("a")
            .config(
                RetryConfig.builder()
                    .maxAttempts(5)
                    .exponentialBackoff(Duration.ofMillis(1), 1, Duration.ofMillis(1))
                    .budget(b)
                    .build())
            .ticker(ticker)
            .sleeper(nanos -> {})
            .build();
    AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      try {
        r1.executeSupplier(
            () -> {
              calls.incrementAndGet();
              throw new IllegalStateException("down");
            });
      } catch (IllegalStateException expected) {
        // gave up
      }
    }
    assertThat(calls.get()).as("2 first attempts + 2 budgeted retries").isEqualTo(4);
    assertThat(r1.stats().budgetDenied()).isEqualTo(2);
  }
}
