package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private final LimiterTestTicker ticker = new LimiterTestTicker();

  private RateLimiter bucket(long capacity, Duration period) {
    return RateLimiters.tokenBucket(capacity, period, ticker);
  }

  @Test
  void startsFullAndAllowsABurstOfCapacity() {
    RateLimiter limiter = bucket(10, Duration.ofSeconds(1));
    assertThat(limiter.availablePermits()).isEqualTo(10);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire()).as("permit %d", i).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.availablePermits()).isZero();
  }

  @Test
  void refillsAtCapacityPerPeriodAndNeverBeyondCapacity() {
    RateLimiter limiter = bucket(10, Duration.ofSeconds(1)); // one permit per 100 ms
    assertThat(limiter.tryAcquire(10)).isTrue();

    ticker.advance(Duration.ofMillis(99));
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(1).toNanos());
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.availablePermits()).isEqualTo(1);

    ticker.advance(Duration.ofMillis(350)); // 450 ms in total: 4 permits, half of the 5th
    assertThat(limiter.availablePermits()).isEqualTo(4);
    assertThat(limiter.tryAcquire(5)).isFalse();
    assertThat(limiter.nanosUntilAvailable(5)).isEqualTo(Duration.ofMillis(50).toNanos());
    assertThat(limiter.tryAcquire(4)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();

    ticker.advance(Duration.ofHours(1));
    assertThat(limiter.availablePermits()).isEqualTo(10);
    assertThat(limiter.tryAcquire(10)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void fractionalRatesRoundTheIntervalDown() {
    RateLimiter limiter = bucket(3, Duration.ofSeconds(1)); // 333_333_333 ns per permit
    assertThat(limiter.config().nanosPerPermit()).isEqualTo(333_333_333L);
    assertThat(limiter.tryAcquire(3)).isTrue();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(limiter.availablePermits()).isEqualTo(3);
  }

  @Test
  void reserveReturnsTheWaitAndQueuesLaterCallersBehindIt() {
    RateLimiter limiter = bucket(10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isTrue();

    long wait = limiter.reserve(2, Duration.ofSeconds(1).toNanos());
    assertThat(wait).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(limiter.reserve(1, Duration.ofMillis(250).toNanos()))
        .isEqualTo(RateLimiter.REJECTED);
    assertThat(limiter.reserve(1, Duration.ofMillis(300).toNanos()))
        .isEqualTo(Duration.ofMillis(300).toNanos());
    assertThat(limiter.reserve(1, 0)).isEqualTo(RateLimiter.REJECTED);
    // The reservations are a debt: nothing is available until 300 ms have passed.
    ticker.advance(Duration.ofMillis(300));
    assertThat(limiter.availablePermits()).isZero();
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.availablePermits()).isEqualTo(1);
  }

  @Test
  void timedAcquireWaitsByTheLimitersTicker() throws Exception {
    RateLimiter limiter = bucket(10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isTrue();
    assertThat(limiter.tryAcquire(1, Duration.ZERO)).isFalse();
    assertThat(limiter.tryAcquire(1, Duration.ofMillis(50))).isFalse();

    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Boolean> result = new AtomicReference<>();
    Thread waiter =
        new Thread(
            () -> {
              started.countDown();
              try {
                result.set(limiter.tryAcquire(1, Duration.ofSeconds(1)));
              } catch (InterruptedException e) {
                result.set(null);
              }
            });
    waiter.start();
    started.await();
    // The waiter reserves at once: wait for the reservation to be visible, then move time.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> limiter.nanosUntilAvailable(1) == Duration.ofMillis(200).toNanos());
    assertThat(waiter.isAlive()).isTrue();
    ticker.advance(Duration.ofMillis(100));
    waiter.join(TimeUnit.SECONDS.toMillis(5));
    assertThat(waiter.isAlive()).isFalse();
    assertThat(result.get()).isTrue();
  }

  @Test
  void interruptedWaitThrowsAndKeepsTheReservation() throws Exception {
    RateLimiter limiter = bucket(10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isTrue();
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread waiter =
        new Thread(
            () -> {
              try {
                limiter.tryAcquire(1, Duration.ofSeconds(10));
              } catch (InterruptedException e) {
                interrupted.set(true);
              }
            });
    waiter.start();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> limiter.nanosUntilAvailable(1) == Duration.ofMillis(200).toNanos());
    waiter.interrupt();
    waiter.join(TimeUnit.SECONDS.toMillis(5));
    assertThat(interrupted).isTrue();
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void gcraSpacesPermitsAfterTheBurst() throws Exception {
    RateLimiter limiter = RateLimiters.gcra(10, Duration.ofSeconds(1), 3, ticker);
    assertThat(limiter.config().algorithm()).isEqualTo(RateLimiterConfig.Algorithm.GCRA);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    for (int i = 0; i < 20; i++) {
      ticker.advance(Duration.ofMillis(100));
      assertThat(limiter.tryAcquire()).isTrue();
      assertThat(limiter.tryAcquire()).isFalse();
    }
    assertThatThrownBy(() -> limiter.tryAcquire(4, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be in [1, 3] (the limiter's burst) but was 4");
  }

  @Test
  void multipleBandwidthsMustAllHaveThePermit() {
    RateLimiter limiter =
        RateLimiters.create(
            RateLimiterConfig.builder()
                .limit(10, Duration.ofSeconds(1))
                .addBandwidth(25, Duration.ofMinutes(1))
                .ticker(ticker)
                .build());
    assertThat(limiter.config().bandwidths()).hasSize(2);
    assertThat(limiter.config().burst()).isEqualTo(10);
    int admitted = 0;
    for (int second = 0; second < 10; second++) {
      while (limiter.tryAcquire()) {
        admitted++;
      }
      ticker.advance(Duration.ofSeconds(1));
    }
    // The per-minute bandwidth binds: 25 at once, then one per 2.4 s; the last acquisition
    // happened at 9 s, so 25 + floor(9 / 2.4) = 28.
    assertThat(admitted).isEqualTo(28);
    // At 10 s the per-second bucket is full but the per-minute one holds 1.17 permits.
    assertThat(limiter.availablePermits()).isEqualTo(1);
    assertThat(limiter.tryAcquire(2)).isFalse();
    assertThat(limiter.nanosUntilAvailable(2)).isEqualTo(Duration.ofMillis(2000).toNanos());
  }
}
