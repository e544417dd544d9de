package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.ratelimit.adaptive.AdaptiveLimiter;
import io.dsblocks.ratelimit.adaptive.AimdLimit;
import io.dsblocks.ratelimit.bulkhead.Bulkhead;
import io.dsblocks.ratelimit.bulkhead.BulkheadConfig;
import io.dsblocks.ratelimit.bulkhead.BulkheadFullException;
import io.dsblocks.ratelimit.circuitbreaker.CallNotPermittedException;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState;
import io.dsblocks.ratelimit.circuitbreaker.ManualTicker;
import io.dsblocks.ratelimit.retry.Retry;
import io.dsblocks.ratelimit.retry.RetryConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DecoratorsTest {
  private final ManualTicker ticker = new ManualTicker();

  private CircuitBreaker breaker(int minCalls) {
    return CircuitBreaker.of(
        "cb",
        CircuitBreakerConfig.builder()
            .countBasedWindow(10)
            .minimumNumberOfCalls(minCalls)
            .failureRateThreshold(50)
            .build(),
        ticker);
  }

  private RateLimiter limiter(long capacity) {
    return RateLimiters.tokenBucket(capacity, Duration.ofHours(1), ticker);
  }

  private Retry retry(int attempts, java.util.function.Predicate<Throwable> on) {
    return Retry.builder("retry")
        .config(
            RetryConfig.builder()
                .maxAttempts(attempts)
                .exponentialBackoff(Duration.ofMillis(10), 2, Duration.ofSeconds(1))
                .retryOnException(on)
                .build())
        .ticker(ticker)
        .sleeper(ticker::advanceNanos)
        .build();
  }

  @Test
  void openBreakerRefusesBeforeTheRateLimiterIsCharged() {
    CircuitBreaker cb = breaker(1);
    RateLimiter rl = limiter(10);
    cb.transitionToForcedOpen();
    // with... order deliberately scrambled: the composition order is fixed anyway
    Supplier<String> s =
        Decorators.ofSupplier(() -> "x").withRateLimiter(rl).withCircuitBreaker(cb).decorate();
    assertThatThrownBy(s::get).isInstanceOf(CallNotPermittedException.class);
    assertThat(rl.availablePermits()).isEqualTo(10);
  }

  @Test
  void innerRefusalsAreNotBreakerFailures() {
    CircuitBreaker cb = breaker(1);
    RateLimiter rl = limiter(1);
    Supplier<String> s =
        Decorators.ofSupplier(() -> "x").withCircuitBreaker(cb).withRateLimiter(rl).decorate();
    assertThat(s.get()).isEqualTo("x");
    assertThatThrownBy(s::get)
        .isInstanceOfSatisfying(
            RequestNotPermitted.class,
            e -> {
              assertThat(e.limiterName()).isEqualTo(rl.name());
              assertThat(e.retryAfterNanos()).isPositive();
            });
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(cb.stats().bufferedCalls()).isEqualTo(1);
    assertThat(cb.stats().failedCalls()).isZero();

    Bulkhead bh = Bulkhead.of("bh", BulkheadConfig.ofMaxConcurrentCalls(1));
    bh.tryAcquirePermission(); // someone else holds the only slot
    Runnable r = Decorators.ofRunnable(() -> {}).withBulkhead(bh).withCircuitBreaker(cb).decorate();
    assertThatThrownBy(r::run).isInstanceOf(BulkheadFullException.class);
    assertThat(cb.stats().bufferedCalls()).isEqualTo(1);
  }

  @Test
  void retryIsOutermostSoEveryAttemptPassesEveryGuard() {
    CircuitBreaker cb = breaker(10);
    RateLimiter rl = limiter(100);
    Bulkhead bh = Bulkhead.of("bh", BulkheadConfig.ofMaxConcurrentCalls(1));
    AtomicInteger calls = new AtomicInteger();
    Supplier<String> s =
        Decorators.ofSupplier(
                () -> {
                  assertThat(bh.availableConcurrentCalls()).as("slot held while running").isZero();
                  if (calls.incrementAndGet() < 3) {
                    throw new IllegalStateException("flaky");
                  }
                  return "ok";
                })
            .withBulkhead(bh)
            .withRateLimiter(rl)
            .withCircuitBreaker(cb)
            .withRetry(retry(3, e -> true))
            .decorate();
    assertThat(s.get()).isEqualTo("ok");
    assertThat(cb.stats().bufferedCalls()).isEqualTo(3);
    assertThat(cb.stats().failedCalls()).isEqualTo(2);
    assertThat(rl.availablePermits()).isEqualTo(97);
    assertThat(bh.availableConcurrentCalls()).as("released after each attempt").isEqualTo(1);
  }

  @Test
  void openingBreakerEndsTheRetryLoop() {
    CircuitBreaker cb = breaker(2);
    AtomicInteger calls = new AtomicInteger();
    Supplier<String> s =
        Decorators.<String>ofSupplier(
                () -> {
                  calls.incrementAndGet();
                  throw new IllegalStateException("down");
                })
            .withCircuitBreaker(cb)
            .withRetry(retry(5, e -> !(e instanceof CallNotPermittedException)))
            .decorate();
    assertThatThrownBy(s::get).isInstanceOf(CallNotPermittedException.class);
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void callableKeepsCheckedExceptions() throws Exception {
    CircuitBreaker cb = breaker(1);
    Callable<String> c =
        Decorators.ofCallable(
                (Callable<String>)
                    () -> {
                      throw new IOException("io");
                    })
            .withCircuitBreaker(cb)
            .decorate();
    assertThatThrownBy(c::call).isInstanceOf(IOException.class);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
    assertThat(Decorators.ofCallable(() -> 42).withRateLimiter(limiter(1)).call()).isEqualTo(42);
  }

  @Test
  void adaptiveLimiterLayerFeedsSamples() {
    AdaptiveLimiter al =
        AdaptiveLimiter.builder("al")
            .algorithm(AimdLimit.builder().limits(1, 4, 10).build())
            .ticker(ticker)
            .build();
    Supplier<String> timesOut =
        Decorators.<String>ofSupplier(
                () -> {
                  throw new IllegalStateException(new TimeoutException());
                })
            .withAdaptiveLimiter(al)
            .decorate();
    assertThatThrownBy(timesOut::get).isInstanceOf(IllegalStateException.class);
    assertThat(al.stats().dropped()).as("not a TimeoutException itself: ignored").isZero();
    AdaptiveLimiter dropping =
        AdaptiveLimiter.builder("al2")
            .algorithm(AimdLimit.builder().limits(1, 4, 10).build())
            .dropOn(e -> e.getCause() instanceof TimeoutException)
            .ticker(ticker)
            .build();
    Supplier<String> s2 =
        Decorators.<String>ofSupplier(
                () -> {
                  throw new IllegalStateException(new TimeoutException());
                })
            .withAdaptiveLimiter(dropping)
            .decorate();
    assertThatThrownBy(s2::get).isInstanceOf(IllegalStateException.class);
    assertThat(dropping.stats().dropped()).isEqualTo(1);
    assertThat(dropping.limit()).isEqualTo(3);
    assertThat(dropping.inFlight()).isZero();
  }

  @Test
  void completionStagesAreGuardedWithoutBlocking() throws Exception {
    CircuitBreaker cb = breaker(2);
    Bulkhead bh = Bulkhead.of("bh", BulkheadConfig.ofMaxConcurrentCalls(1));
    CompletableFuture<String> pending = new CompletableFuture<>();
    Supplier<CompletionStage<String>> s =
        Decorators.ofCompletionStage(() -> pending)
            .withCircuitBreaker(cb)
            .withBulkhead(bh)
            .decorate();
    CompletionStage<String> first = s.get();
    CompletionStage<String> second = s.get(); // slot still held by the first
    assertThatThrownBy(() -> second.toCompletableFuture().get())
        .hasCauseInstanceOf(BulkheadFullException.class);
    ticker.advance(Duration.ofMillis(5));
    pending.completeExceptionally(new IOException("late"));
    assertThatThrownBy(() -> first.toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(IOException.class);
    assertThat(bh.availableConcurrentCalls()).isEqualTo(1);
    assertThat(cb.stats().failedCalls()).isEqualTo(1);
    assertThat(cb.stats().bufferedCalls()).as("the bulkhead refusal is not recorded").isEqualTo(1);
  }

  @Test
  void asyncRetryNeedsASchedulerAndRetries() throws Exception {
    assertThatThrownBy(
            () ->
                Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture(1))
                    .withRetry(retry(2, e -> true))
                    .decorate())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scheduler");
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      CircuitBreaker cb = breaker(10);
      AtomicInteger calls = new AtomicInteger();
      CompletionStage<Integer> result =
          Decorators.ofCompletionStage(
                  () ->
                      calls.incrementAndGet() < 2
                          ? CompletableFuture.<Integer>failedFuture(new IOException("flaky"))
                          : CompletableFuture.completedFuture(7))
              .withCircuitBreaker(cb)
              .withRetry(retry(3, e -> true), scheduler)
              .get();
      assertThat(result.toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(7);
      assertThat(cb.stats().bufferedCalls()).isEqualTo(2);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void nullGuardsAreRejected() {
    assertThatThrownBy(() -> Decorators.ofSupplier(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("supplier");
    assertThatThrownBy(() -> Decorators.ofSupplier(() -> 1).withCircuitBreaker(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("circuitBreaker");
    assertThatThrownBy(
            () ->
                Decorators.ofSupplier(() -> 1).withRateLimiter(limiter(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxWait");
  }

  @Test
  void closedBreakerHotPathAllocatesNothing() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    CircuitBreaker cb = CircuitBreaker.of("alloc", CircuitBreakerConfig.ofDefaults());
    Supplier<String> s = cb.decorateSupplier(() -> "v");
    for (int i = 0; i < 200; i++) { // fill the window so the healthy fast path is reached
      s.get();
    }
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      if (cb.tryAcquirePermission()) {
        cb.onSuccess(1_000);
      }
      s.get();
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    // 200k operations; a single allocated object per call would be several megabytes
    assertThat(allocated).isLessThan(50_000);
  }
}
