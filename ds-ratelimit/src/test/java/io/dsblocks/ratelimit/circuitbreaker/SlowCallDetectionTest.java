package io.dsblocks.ratelimit.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.ratelimit.Decorators;
import io.dsblocks.ratelimit.Ticker;
import io.dsblocks.ratelimit.retry.Retry;
import io.dsblocks.ratelimit.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Slow-call detection can be turned off, and then decorated calls are not timed: the ticker reads
 * per call are counted exactly.
 */
class SlowCallDetectionTest {
  private static final RuntimeException BOOM = new IllegalStateException("boom");

  /** A manual ticker that counts its reads. */
  private static final class CountingTicker implements Ticker {
    final ManualTicker time = new ManualTicker();
    final AtomicLong reads = new AtomicLong();

    @Override
    public long read() {
      reads.incrementAndGet();
      return time.read();
    }
  }

  private final CountingTicker ticker = new CountingTicker();

  private static CircuitBreakerConfig.Builder base() {
    return CircuitBreakerConfig.builder()
        .countBasedWindow(10)
        .minimumNumberOfCalls(4)
        .failureRateThreshold(50)
        .slowCallRateThreshold(50)
        .slowCallDurationThreshold(Duration.ofSeconds(2));
  }

  private long readsDuring(Runnable r) {
    long before = ticker.reads.get();
    r.run();
    return ticker.reads.get() - before;
  }

  @Test
  void detectionIsOnByDefaultAndSurvivesToBuilder() {
    CircuitBreakerConfig defaults = CircuitBreakerConfig.ofDefaults();
    assertThat(defaults.slowCallDetection()).isTrue();
    assertThat(defaults.slowCallRateThreshold()).isEqualTo(100f);
    assertThat(defaults.slowCallDurationThreshold()).isEqualTo(Duration.ofSeconds(60));
    CircuitBreakerConfig off = defaults.toBuilder().slowCallDetection(false).build();
    assertThat(off.slowCallDetection()).isFalse();
    assertThat(off.toBuilder().build().slowCallDetection()).isFalse();
    assertThat(off.toString()).contains("slowCallDetection=false");
    // The thresholds are kept, so turning detection back on restores them.
    assertThat(off.toBuilder().slowCallDetection(true).build().slowCallDurationThreshold())
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(CircuitBreaker.of("d", defaults, ticker).recordsCallDurations()).isTrue();
    assertThat(CircuitBreaker.of("o", off, ticker).recordsCallDurations()).isFalse();
  }

  @Test
  void thresholdsAreStillValidatedWhenDetectionIsOff() {
    assertThatThrownBy(() -> base().slowCallDetection(false).slowCallRateThreshold(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slowCallRateThreshold must be in (0, 100], was 0.0");
    assertThatThrownBy(
            () -> base().slowCallDetection(false).slowCallDurationThreshold(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("slowCallDurationThreshold");
  }

  @Test
  void decoratedCallsReadTheTickerTwiceWithDetectionAndNeverWithout() throws Exception {
    for (boolean detect : new boolean[] {true, false}) {
      CircuitBreaker cb = CircuitBreaker.of("cb", base().slowCallDetection(detect).build(), ticker);
      long perCall = detect ? 2 : 0;
      Supplier<String> supplier = cb.decorateSupplier(() -> "v");
      Callable<String> callable =
          Decorators.ofCallable(() -> "v").withCircuitBreaker(cb).decorate();
      Runnable runnable = Decorators.ofRunnable(() -> {}).withCircuitBreaker(cb).decorate();
      Supplier<CompletionStage<String>> async =
          Decorators.ofCompletionStage(() -> CompletableFuture.completedFuture("v"))
              .withCircuitBreaker(cb)
              .decorate();
      Supplier<String> failing =
          cb.decorateSupplier(
              () -> {
                throw BOOM;
              });
      for (int i = 0; i < 20; i++) { // past the window size: the fast, full-window path too
        assertThat(readsDuring(supplier::get)).as("supplier, detect=%s", detect).isEqualTo(perCall);
      }
      assertThat(
              readsDuring(
                  () -> {
                    try {
                      callable.call();
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  }))
          .isEqualTo(perCall);
      assertThat(readsDuring(runnable)).isEqualTo(perCall);
      assertThat(readsDuring(() -> async.get().toCompletableFuture().join())).isEqualTo(perCall);
      // A failure: 1 of 24 calls, so the breaker stays closed and no open deadline is read.
      assertThat(readsDuring(() -> assertThatThrownBy(failing::get).isSameAs(BOOM)))
          .isEqualTo(perCall);
      assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
      assertThat(cb.stats().failedCalls()).isEqualTo(1);
    }
  }

  @Test
  void slowCallsOpenTheBreakerOnlyWhileDetectionIsOn() {
    Supplier<String> slowCall =
        () -> {
          ticker.time.advance(Duration.ofSeconds(3)); // the call takes 3 s > 2 s threshold
          return "v";
        };
    CircuitBreaker on = CircuitBreaker.of("on", base().build(), ticker);
    Supplier<String> guardedOn = on.decorateSupplier(slowCall);
    for (int i = 0; i < 3; i++) {
      guardedOn.get();
    }
    assertThat(on.stats().slowCalls()).isEqualTo(3);
    assertThat(on.state()).as("below the minimum of 4 calls").isEqualTo(CircuitBreakerState.CLOSED);
    guardedOn.get();
    assertThat(on.state()).isEqualTo(CircuitBreakerState.OPEN);

    CircuitBreaker off = CircuitBreaker.of("off", base().slowCallDetection(false).build(), ticker);
    Supplier<String> guardedOff = off.decorateSupplier(slowCall);
    for (int i = 0; i < 10; i++) {
      guardedOff.get();
    }
    assertThat(off.state()).isEqualTo(CircuitBreakerState.CLOSED);
    assertThat(off.stats().slowCalls()).isZero();
    // Even a duration reported through the low-level API is not slow with detection off.
    assertThat(off.tryAcquirePermission()).isTrue();
    off.onSuccess(Duration.ofHours(1).toNanos());
    assertThat(off.stats().slowCalls()).isZero();
    // ... but failures still open it.
    Supplier<String> failing =
        off.decorateSupplier(
            () -> {
              throw BOOM;
            });
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(failing::get).isSameAs(BOOM);
    }
    assertThat(off.state()).as("4 failures of 10").isEqualTo(CircuitBreakerState.CLOSED);
    assertThatThrownBy(failing::get).isSameAs(BOOM);
    assertThat(off.state()).as("5 failures of 10").isEqualTo(CircuitBreakerState.OPEN);
  }

  @Test
  void reconfiguringBetweenModesTakesEffectOnTheNextCall() {
    CircuitBreaker cb = CircuitBreaker.of("cb", base().build(), ticker);
    Supplier<String> slowCall =
        cb.decorateSupplier(
            () -> {
              ticker.time.advance(Duration.ofSeconds(3));
              return "v";
            });
    assertThat(readsDuring(slowCall::get)).isEqualTo(2);
    assertThat(cb.stats().slowCalls()).isEqualTo(1);

    cb.reconfigure(cb.config().toBuilder().slowCallDetection(false).build());
    assertThat(cb.recordsCallDurations()).isFalse();
    for (int i = 0; i < 5; i++) {
      assertThat(readsDuring(slowCall::get)).isEqualTo(0);
    }
    assertThat(cb.stats().bufferedCalls()).as("window kept: same type and size").isEqualTo(6);
    assertThat(cb.stats().slowCalls()).as("no new slow calls").isEqualTo(1);
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);

    cb.reconfigure(cb.config().toBuilder().slowCallDetection(true).build());
    assertThat(cb.recordsCallDurations()).isTrue();
    assertThat(readsDuring(slowCall::get)).isEqualTo(2);
    assertThat(cb.stats().slowCalls()).isEqualTo(2);
    slowCall.get();
    slowCall.get(); // 4 slow of 9 = 44%
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.CLOSED);
    slowCall.get(); // 5 of 10 = 50%: the re-enabled rule trips
    assertThat(cb.state()).isEqualTo(CircuitBreakerState.OPEN);
  }

  @Test
  void timeBasedWindowStillReadsTimeForItsBucketsWithDetectionOff() {
    CircuitBreaker cb =
        CircuitBreaker.of(
            "tw",
            base().timeBasedWindow(10).minimumNumberOfCalls(4).slowCallDetection(false).build(),
            ticker);
    assertThat(cb.recordsCallDurations()).isFalse();
    Supplier<String> ok = cb.decorateSupplier(() -> "v");
    Supplier<String> failing =
        cb.decorateSupplier(
            () -> {
              throw BOOM;
            });
    // One read per call: the window's own bucket selection, not call timing.
    assertThat(readsDuring(ok::get)).isEqualTo(1);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(failing::get).isSameAs(BOOM);
    }
    assertThat(cb.stats().bufferedCalls()).isEqualTo(3);
    // Eleven seconds later those calls have left the window: buckets follow the ticker.
    ticker.time.advance(Duration.ofSeconds(11));
    assertThat(cb.stats().bufferedCalls()).isZero();
    ok.get();
    ok.get();
    assertThatThrownBy(failing::get).isSameAs(BOOM);
    assertThat(cb.state()).as("1 failure of 3 recent calls").isEqualTo(CircuitBreakerState.CLOSED);
    assertThatThrownBy(failing::get).isSameAs(BOOM);
    assertThat(cb.state()).as("2 of 4 = 50%").isEqualTo(CircuitBreakerState.OPEN);
  }

  @Test
  void retryWithoutMaxTotalTimeReadsNoClock() {
    CircuitBreaker cb = CircuitBreaker.of("cb", base().slowCallDetection(false).build(), ticker);
    Retry retry =
        Retry.builder("r")
            .config(RetryConfig.builder().maxAttempts(3).build())
            .ticker(ticker)
            .sleeper(n -> {})
            .build();
    Supplier<String> guarded =
        Decorators.ofSupplier(() -> "v").withRetry(retry).withCircuitBreaker(cb).decorate();
    assertThat(readsDuring(guarded::get)).isEqualTo(0);
    Retry bounded =
        Retry.builder("r2")
            .config(
                RetryConfig.builder().maxAttempts(3).maxTotalTime(Duration.ofSeconds(1)).build())
            .ticker(ticker)
            .sleeper(n -> {})
            .build();
    Supplier<String> guardedBounded =
        Decorators.ofSupplier(() -> "v").withRetry(bounded).withCircuitBreaker(cb).decorate();
    assertThat(readsDuring(guardedBounded::get)).as("the start time for maxTotalTime").isEqualTo(1);
  }
}
