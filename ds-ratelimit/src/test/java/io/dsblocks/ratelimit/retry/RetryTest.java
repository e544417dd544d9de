package io.dsblocks.ratelimit.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.ratelimit.circuitbreaker.ManualTicker;
import io.dsblocks.ratelimit.retry.RetryListener.GiveUpReason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
  private final ManualTicker ticker = new ManualTicker();
  private final List<Long> sleeps = new ArrayList<>();
  private final Retry.Sleeper sleeper =
      nanos -> {
        sleeps.add(nanos);
        ticker.advanceNanos(nanos);
      };

  private Retry retry(RetryConfig config) {
    return Retry.builder("r")
        .config(config)
        .ticker(ticker)
        .sleeper(sleeper)
        .random(new Random(7))
        .build();
  }

  private static RetryConfig.Builder noJitter() {
    return RetryConfig.builder()
        .maxAttempts(5)
        .exponentialBackoff(Duration.ofMillis(100), 2.0, Duration.ofMillis(500))
        .jitter(RetryConfig.Jitter.NONE);
  }

  @Test
  void exponentialBackoffWithCapThenSuccess() throws Exception {
    Retry r = retry(noJitter().build());
    AtomicInteger calls = new AtomicInteger();
    String result =
        r.executeCallable(
            () -> {
              if (calls.incrementAndGet() < 5) {
                throw new IOException("flaky");
              }
              return "ok";
            });
    assertThat(result).isEqualTo("ok");
    assertThat(sleeps).containsExactly(100_000_000L, 200_000_000L, 400_000_000L, 500_000_000L);
    assertThat(r.stats()).isEqualTo(new RetryStats(1, 4, 0, 1, 0, 0));
  }

  @Test
  void givesUpAfterMaxAttemptsWithLastFailure() {
    Retry r = retry(noJitter().maxAttempts(3).build());
    List<String> events = new ArrayList<>();
    r.addListener(
        new RetryListener() {
          @Override
          public void onRetry(String name, int attempt, long waitNanos, Throwable failure) {
            events.add("retry" + attempt);
          }

          @Override
          public void onGiveUp(String name, int attempts, GiveUpReason reason, Throwable last) {
            events.add(reason + ":" + attempts + ":" + last.getMessage());
          }
        });
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                r.executeSupplier(
                    () -> {
                      throw new IllegalStateException("fail" + calls.incrementAndGet());
                    }))
        .hasMessage("fail3");
    assertThat(events).containsExactly("retry1", "retry2", "MAX_ATTEMPTS:3:fail3");
  }

  @Test
  void predicatesDecideWhatIsRetried() throws Exception {
    Retry r =
        retry(
            noJitter()
                .retryOnException(e -> e instanceof IOException)
                .retryOnResult(res -> "busy".equals(res))
                .build());
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                r.executeCallable(
                    () -> {
                      calls.incrementAndGet();
                      throw new IllegalArgumentException("not retryable");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(calls.get()).isEqualTo(1);
    AtomicInteger n = new AtomicInteger();
    assertThat(r.executeCallable(() -> n.incrementAndGet() < 3 ? "busy" : "done"))
        .isEqualTo("done");
    assertThat(n.get()).isEqualTo(3);
    // a retryable result on the last attempt is returned as-is
    assertThat(r.executeCallable(() -> "busy")).isEqualTo("busy");
    // an open breaker is not retried by default; ordinary exceptions are
    assertThat(
            RetryConfig.ofDefaults()
                .retryOnException()
                .test(
                    new io.dsblocks.ratelimit.circuitbreaker.CallNotPermittedException(
                        "cb", io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState.OPEN)))
        .isFalse();
    assertThat(RetryConfig.ofDefaults().retryOnException().test(new IOException())).isTrue();
    // errors are never retried by default
    Retry defaults = retry(RetryConfig.ofDefaults());
    AtomicInteger errors = new AtomicInteger();
    assertThatThrownBy(
            () ->
                defaults.executeSupplier(
                    () -> {
                      errors.incrementAndGet();
                      throw new AssertionError("bug");
                    }))
        .isInstanceOf(AssertionError.class);
    assertThat(errors.get()).isEqualTo(1);
  }

  @Test
  void maxTotalTimeStopsBeforeOverrunning() {
    Retry r = retry(noJitter().maxAttempts(10).maxTotalTime(Duration.ofMillis(350)).build());
    List<GiveUpReason> reasons = new ArrayList<>();
    r.addListener(
        new RetryListener() {
          @Override
          public void onGiveUp(String name, int attempts, GiveUpReason reason, Throwable last) {
            reasons.add(reason);
          }
        });
    assertThatThrownBy(
            () ->
                r.executeSupplier(
                    () -> {
                      throw new IllegalStateException("down");
                    }))
        .hasMessage("down");
    // waits 100 + 200 = 300 ms; the next (400 ms) would end at 700 ms > 350 ms
    assertThat(sleeps).containsExactly(100_000_000L, 200_000_000L);
    assertThat(reasons).containsExactly(GiveUpReason.MAX_TOTAL_TIME);
  }

  @Test
  void fullJitterStaysWithinTheExponentialEnvelope() {
    Retry r =
        retry(
            RetryConfig.builder()
                .exponentialBackoff(Duration.ofMillis(10), 2.0, Duration.ofSeconds(1))
                .jitter(RetryConfig.Jitter.FULL)
                .build());
    long sum = 0;
    for (int i = 0; i < 1_000; i++) {
      long w = r.backoffNanos(4, 0);
      assertThat(w).isBetween(0L, 80_000_000L);
      sum += w;
    }
    assertThat(sum / 1_000).as("mean near half the envelope").isBetween(30_000_000L, 50_000_000L);
  }

  @Test
  void decorrelatedJitterGrowsFromPreviousAndIsCapped() {
    Retry r =
        retry(
            RetryConfig.builder()
                .exponentialBackoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(100))
                .jitter(RetryConfig.Jitter.DECORRELATED)
                .build());
    long prev = 0;
    for (int i = 1; i <= 200; i++) {
      long w = r.backoffNanos(i, prev);
      long upper = Math.min(100_000_000L, Math.max(prev, 10_000_000L) * 3);
      assertThat(w).isBetween(10_000_000L, upper);
      prev = w;
    }
  }

  @Test
  void interruptDuringWaitStopsAndRestoresFlag() {
    Retry r =
        Retry.builder("i")
            .config(noJitter().build())
            .ticker(ticker)
            .sleeper(
                nanos -> {
                  throw new InterruptedException("stop");
                })
            .build();
    try {
      assertThatThrownBy(
              () ->
                  r.executeSupplier(
                      () -> {
                        throw new IllegalStateException("down");
                      }))
          .hasMessage("down")
          .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void asyncRetriesOnScheduler() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      Retry r =
          retry(
              noJitter()
                  .exponentialBackoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                  .build());
      AtomicInteger calls = new AtomicInteger();
      CompletableFuture<String> f =
          r.executeCompletionStage(
              scheduler,
              () ->
                  calls.incrementAndGet() < 3
                      ? CompletableFuture.failedFuture(new IOException("flaky"))
                      : CompletableFuture.completedFuture("ok"));
      assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
      assertThat(calls.get()).isEqualTo(3);
      CompletableFuture<String> never =
          r.executeCompletionStage(
              scheduler, () -> CompletableFuture.failedFuture(new IOException("down")));
      assertThatThrownBy(() -> never.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IOException.class);
      assertThat(r.stats().failed()).isEqualTo(1);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void badConfiguration() {
    assertThatThrownBy(() -> RetryConfig.builder().maxAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts must be in [1, 1000], was 0");
    assertThatThrownBy(
            () ->
                RetryConfig.builder()
                    .exponentialBackoff(Duration.ZERO, 2, Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("initialBackoff must be positive");
    assertThatThrownBy(
            () ->
                RetryConfig.builder()
                    .exponentialBackoff(Duration.ofSeconds(2), 2, Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("maxBackoff must be >= initialBackoff");
    assertThatThrownBy(
            () ->
                RetryConfig.builder()
                    .exponentialBackoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> RetryConfig.builder().maxTotalTime(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("maxTotalTime");
    assertThatThrownBy(() -> RetryConfig.builder().retryOnException(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("retryOnException");
    assertThatThrownBy(() -> RetryConfig.builder().jitter(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("jitter");
    assertThatThrownBy(() -> RetryBudget.builder().percentOfRequests(-1).build())
        .hasMessageContaining("percentOfRequests must be in [0, 1000], was -1.0");
    assertThatThrownBy(() -> RetryBudget.builder().minRetriesPerSecond(-1).build())
        .hasMessageContaining("minRetriesPerSecond");
    assertThatThrownBy(() -> RetryBudget.builder().window(Duration.ofMillis(1500)).build())
        .hasMessageContaining("whole number of seconds");
  }
}
