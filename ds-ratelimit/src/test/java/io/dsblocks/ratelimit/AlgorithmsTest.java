package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Behaviour specific to the smooth and window algorithms. */
class AlgorithmsTest {
  private final LimiterTestTicker ticker = new LimiterTestTicker();

  private RateLimiter create(Algorithm algorithm, long limit, Duration period) {
    return RateLimiters.create(
        RateLimiterConfig.builder()
            .algorithm(algorithm)
            .limit(limit, period)
            .ticker(ticker)
            .build());
  }

  @Test
  void smoothSpacesPermitsEvenlyAndDoesNotSaveIdleTime() {
    RateLimiter limiter = create(Algorithm.SMOOTH, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(99));
    assertThat(limiter.tryAcquire()).isFalse();
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofSeconds(10)); // idle: no burst saved up
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void smoothGrantsALargeRequestAtOnceAndTheNextCallerPays() {
    RateLimiter limiter = create(Algorithm.SMOOTH, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(5)).isTrue();
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(500).toNanos());
    assertThat(limiter.reserve(1, Duration.ofSeconds(1).toNanos()))
        .isEqualTo(Duration.ofMillis(500).toNanos());
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(600).toNanos());
  }

  @Test
  void warmUpStartsSlowAndReachesTheStableRate() {
    RateLimiter limiter =
        RateLimiters.create(
            RateLimiterConfig.builder()
                .algorithm(Algorithm.SMOOTH)
                .limit(10, Duration.ofSeconds(1))
                .warmup(Duration.ofSeconds(2))
                .ticker(ticker)
                .build());
    // Cold: 10 stored permits above the threshold, the first costs close to 3 intervals.
    long total = 0;
    long first = 0;
    long last = 0;
    for (int i = 0; i < 30; i++) {
      long wait = limiter.nanosUntilAvailable(1);
      ticker.advanceNanos(wait);
      assertThat(limiter.tryAcquire()).isTrue();
      long gap = limiter.nanosUntilAvailable(1);
      if (i == 0) {
        first = gap;
      }
      last = gap;
      total += gap;
    }
    assertThat(first).isBetween(Duration.ofMillis(280).toNanos(), Duration.ofMillis(300).toNanos());
    assertThat(last).isEqualTo(Duration.ofMillis(100).toNanos());
    // Taking the 10 cold permits costs the warm-up period (2 s), the 10 warm ones 1 s, then 1 s.
    assertThat(total)
        .isBetween(Duration.ofMillis(3990).toNanos(), Duration.ofMillis(4010).toNanos());
  }

  @Test
  void fixedWindowReservesInTheNextWindowAtMost() {
    RateLimiter limiter = create(Algorithm.FIXED_WINDOW, 3, Duration.ofSeconds(1));
    ticker.advance(Duration.ofMillis(400));
    assertThat(limiter.tryAcquire(3)).isTrue();
    long wait = limiter.reserve(2, Duration.ofSeconds(5).toNanos());
    assertThat(wait).isEqualTo(Duration.ofMillis(600).toNanos());
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.reserve(1, Duration.ofSeconds(5).toNanos()))
        .isEqualTo(Duration.ofMillis(600).toNanos());
    assertThat(limiter.reserve(1, Duration.ofSeconds(5).toNanos())).isEqualTo(RateLimiter.REJECTED);
    ticker.advance(Duration.ofMillis(600));
    assertThat(limiter.availablePermits()).isZero();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(limiter.availablePermits()).isEqualTo(3);
  }

  @Test
  void slidingLogReservationsQueueInOrder() {
    RateLimiter limiter = create(Algorithm.SLIDING_WINDOW_LOG, 2, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire()).isTrue();
    ticker.advance(Duration.ofMillis(300));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.reserve(1, Duration.ofSeconds(2).toNanos()))
        .isEqualTo(Duration.ofMillis(700).toNanos());
    assertThat(limiter.reserve(1, Duration.ofSeconds(2).toNanos()))
        .isEqualTo(Duration.ofMillis(1000).toNanos());
    assertThat(limiter.availablePermits()).isZero();
    // Two more need both reservations (at 1000 and 1300 ms) out of the window: at 2300 ms.
    assertThat(limiter.reserve(2, Duration.ofMillis(1999).toNanos()))
        .isEqualTo(RateLimiter.REJECTED);
    assertThat(limiter.reserve(2, Duration.ofMillis(2000).toNanos()))
        .isEqualTo(Duration.ofMillis(2000).toNanos());
  }

  @Test
  void slidingCounterCannotReserveButTimedAcquirePollsUntilTheWeightDecays() throws Exception {
    RateLimiter limiter = create(Algorithm.SLIDING_WINDOW_COUNTER, 4, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(4)).isTrue();
    assertThat(limiter.reserve(1, Duration.ofSeconds(5).toNanos())).isEqualTo(RateLimiter.REJECTED);
    // Next window starts at 1 s with previous = 4: one permit fits once 1/4 of it has passed.
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(1250).toNanos());
    assertThat(limiter.tryAcquire(1, Duration.ofMillis(1249))).isFalse();

    AtomicBoolean acquired = new AtomicBoolean();
    Thread waiter =
        new Thread(
            () -> {
              try {
                acquired.set(limiter.tryAcquire(1, Duration.ofSeconds(2)));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    waiter.start();
    Awaitility.await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING); // polling
    assertThat(acquired).isFalse();
    ticker.advance(Duration.ofMillis(1250));
    waiter.join(Duration.ofSeconds(5).toMillis());
    assertThat(acquired).isTrue();
    Awaitility.await().until(() -> limiter.availablePermits() == 0);
  }
}
