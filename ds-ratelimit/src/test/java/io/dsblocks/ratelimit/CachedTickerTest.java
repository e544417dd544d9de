package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerState;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerStats;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The cached ticker: validated resolution, readings that advance, never go backwards and never run
 * ahead of the clock, exact reads after close, and a circuit breaker timing calls with it.
 */
class CachedTickerTest {

  @Test
  void rejectsResolutionsOutsideTheRange() {
    assertThatThrownBy(() -> CachedTicker.start(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("resolution must not be null");
    assertThatThrownBy(() -> CachedTicker.start(Duration.ofNanos(99_999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resolution must be between 100 µs and 1 s, was PT0.000099999S");
    assertThatThrownBy(() -> CachedTicker.start(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resolution must be between 100 µs and 1 s, was PT1.001S");
    assertThatThrownBy(() -> CachedTicker.start(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readingsAdvanceNeverGoBackAndNeverRunAheadOfTheClock() {
    try (CachedTicker ticker = CachedTicker.start(Duration.ofMillis(1))) {
      assertThat(ticker.resolution()).isEqualTo(Duration.ofMillis(1));
      long first = ticker.read();
      long[] last = {first};
      int[] changes = {0};
      // Bounded: at most 5 s, until the reading has moved on ten times.
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofNanos(200_000))
          .until(
              () -> {
                long r = ticker.read();
                long clock = System.nanoTime();
                assertThat(r).isGreaterThanOrEqualTo(last[0]).isLessThanOrEqualTo(clock);
                if (r > last[0]) {
                  changes[0]++;
                }
                last[0] = r;
                return changes[0] >= 10;
              });
      assertThat(last[0]).isGreaterThan(first);
    }
  }

  @Test
  void afterCloseReadsAreExactClockReads() {
    CachedTicker ticker = CachedTicker.start(Duration.ofSeconds(1)); // refreshes too rarely to help
    long cached = ticker.read();
    ticker.close();
    ticker.close(); // idempotent
    long before = System.nanoTime();
    long read = ticker.read();
    assertThat(read).isGreaterThanOrEqualTo(before).isGreaterThanOrEqualTo(cached);
    assertThat(ticker.toString()).contains("closed");
  }

  @Test
  void aBreakerTimesDecoratedCallsWithIt() {
    try (CachedTicker ticker = CachedTicker.start(Duration.ofMillis(1))) {
      CircuitBreaker breaker =
          CircuitBreaker.of(
              "cached",
              CircuitBreakerConfig.builder()
                  .countBasedWindow(4)
                  .minimumNumberOfCalls(4)
                  .slowCallRateThreshold(50)
                  .slowCallDurationThreshold(Duration.ofMillis(20))
                  .build(),
              ticker);
      Supplier<String> fast = breaker.decorateSupplier(() -> "fast");
      Supplier<String> slow =
          breaker.decorateSupplier(
              () -> {
                long start = ticker.read();
                // Returns once the ticker itself has seen 30 ms pass (bounded by Awaitility).
                await()
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> ticker.read() - start >= Duration.ofMillis(30).toNanos());
                return "slow";
              });
      assertThat(fast.get()).isEqualTo("fast");
      assertThat(slow.get()).isEqualTo("slow");
      assertThat(fast.get()).isEqualTo("fast");
      CircuitBreakerStats before = breaker.stats();
      assertThat(before.bufferedCalls()).isEqualTo(3);
      assertThat(before.slowCalls()).isEqualTo(1);
      assertThat(before.state()).isEqualTo(CircuitBreakerState.CLOSED);
      assertThat(slow.get()).isEqualTo("slow"); // 2 of 4 slow: 50% opens it (and resets the window)
      assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }
  }
}
