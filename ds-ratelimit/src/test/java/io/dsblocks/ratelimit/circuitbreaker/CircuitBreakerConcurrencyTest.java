package io.dsblocks.ratelimit.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many threads against one breaker; every invariant is exact, not approximate. */
class CircuitBreakerConcurrencyTest {
  private static final int THREADS = 16;
  private static final RuntimeException FAILURE = new IllegalStateException("down");
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private final ManualTicker ticker = new ManualTicker();

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Runs {@code task(threadIndex)} on all threads released at once; returns the sum. */
  private int race(IntUnaryOperator task) throws Exception {
    CountDownLatch ready = new CountDownLatch(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int index = t;
      results.add(
          pool.submit(
              () -> {
                ready.countDown();
                go.await();
                return task.applyAsInt(index);
              }));
    }
    assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
    go.countDown();
    int sum = 0;
    for (Future<Integer> f : results) {
      sum += f.get(30, TimeUnit.SECONDS);
    }
    return sum;
  }

  @Test
  void halfOpenAdmitsExactlyTheTrialCallsUnderContention() throws Exception {
    CircuitBreaker cb =
        CircuitBreaker.of(
            "trials",
            CircuitBreakerConfig.builder()
                .countBasedWindow(10)
                .minimumNumberOfCalls(1)
                .permittedCallsInHalfOpenState(5)
                .waitDurationInOpenState(Duration.ofSeconds(1))
                .build(),
            ticker);
    for (int round = 0; round < 30; round++) {
      cb.transitionToClosed();
      cb.onError(1, FAILURE); // 100% of 1 call: opens
      assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
      ticker.advance(Duration.ofSeconds(1));
      int admitted =
          race(
              t -> {
                int n = 0;
                for (int i = 0; i < 20; i++) {
                  if (cb.tryAcquirePermission()) {
                    n++;
                  }
                }
                return n;
              });
      assertThat(admitted).as("round %d", round).isEqualTo(5);
      assertThat(cb.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    }
  }

  @Test
  void concurrentTrialResultsDecideExactlyOnce() throws Exception {
    CircuitBreaker cb =
        CircuitBreaker.of(
            "decide",
            CircuitBreakerConfig.builder().permittedCallsInHalfOpenState(THREADS).build(),
            ticker);
    AtomicInteger closings = new AtomicInteger();
    cb.addListener(
        new CircuitBreakerListener() {
          @Override
          public void onStateTransition(
              String name, CircuitBreakerState from, CircuitBreakerState to) {
            if (from == CircuitBreakerState.HALF_OPEN) {
              closings.incrementAndGet();
            }
          }
        });
    for (int round = 0; round < 20; round++) {
      cb.transitionToHalfOpen();
      int admitted =
          race(
              t -> {
                if (!cb.tryAcquirePermission()) {
                  return 0;
                }
                cb.onSuccess(1);
                return 1;
              });
      assertThat(admitted).isEqualTo(THREADS);
      assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
      assertThat(closings.get()).isEqualTo(round + 1);
    }
  }

  @Test
  void closedWindowCountsEveryConcurrentOutcomeExactly() throws Exception {
    int perThread = 4_000;
    CircuitBreaker cb =
        CircuitBreaker.of(
            "counts",
            CircuitBreakerConfig.builder()
                .countBasedWindow(THREADS * perThread)
                .failureRateThreshold(100)
                .slowCallDurationThreshold(Duration.ofNanos(100))
                .build(),
            ticker);
    race(
        t -> {
          for (int i = 0; i < perThread; i++) {
            if (i % 10 == 0) {
              cb.onError(1, FAILURE);
            } else {
              cb.onSuccess(i % 5 == 1 ? 200 : 1);
            }
          }
          return 0;
        });
    CircuitBreakerStats stats = cb.stats();
    assertThat(stats.state()).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(stats.bufferedCalls()).isEqualTo((long) THREADS * perThread);
    assertThat(stats.failedCalls()).isEqualTo((long) THREADS * perThread / 10);
    assertThat(stats.slowCalls()).isEqualTo((long) THREADS * perThread / 5);
  }

  @Test
  void wrappedWindowStaysConsistentAndTripsOnce() throws Exception {
    CircuitBreaker cb =
        CircuitBreaker.of(
            "wrap",
            CircuitBreakerConfig.builder()
                .countBasedWindow(64)
                .minimumNumberOfCalls(64)
                .failureRateThreshold(60)
                .build(),
            ticker);
    AtomicInteger opened = new AtomicInteger();
    cb.addListener(
        new CircuitBreakerListener() {
          @Override
          public void onStateTransition(
              String name, CircuitBreakerState from, CircuitBreakerState to) {
            if (to == CircuitBreakerState.OPEN) {
              opened.incrementAndGet();
            }
          }
        });
    // Half failures: 50% < 60% so the breaker stays closed while the ring wraps many times.
    race(
        t -> {
          for (int i = 0; i < 5_000; i++) {
            if ((i + t) % 2 == 0) {
              cb.onError(1, FAILURE);
            } else {
              cb.onSuccess(1);
            }
          }
          return 0;
        });
    CircuitBreakerStats quiet = cb.stats();
    assertThat(quiet.bufferedCalls()).isEqualTo(64);
    assertThat(quiet.failedCalls()).isBetween(0L, 64L);
    // Now only failures: exactly one transition to OPEN however many threads see the trip.
    race(
        t -> {
          for (int i = 0; i < 200; i++) {
            cb.onError(1, FAILURE);
          }
          return 0;
        });
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
    assertThat(opened.get()).isEqualTo(1);
  }
}
