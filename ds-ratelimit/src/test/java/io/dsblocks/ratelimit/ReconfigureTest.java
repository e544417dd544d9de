package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconfiguration rule documented on {@link RateLimiterConfig}, algorithm by algorithm. */
class ReconfigureTest {
  private final LimiterTestTicker ticker = new LimiterTestTicker();

  private RateLimiter create(Algorithm algorithm, long limit, Duration period) {
    return RateLimiters.create(
        RateLimiterConfig.builder()
            .algorithm(algorithm)
            .limit(limit, period)
            .ticker(ticker)
            .build());
  }

  private static RateLimiterConfig withLimit(RateLimiter l, long limit, Duration period) {
    return l.config().toBuilder().limit(limit, period).build();
  }

  @Test
  void tokenBucketKeepsAvailablePermitsCappedAtTheNewCapacity() {
    RateLimiter limiter = create(Algorithm.TOKEN_BUCKET, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(7)).isTrue();

    limiter.reconfigure(withLimit(limiter, 20, Duration.ofSeconds(1)));
    assertThat(limiter.availablePermits()).isEqualTo(3); // kept, not topped up
    assertThat(limiter.config().burst()).isEqualTo(20);
    ticker.advance(Duration.ofMillis(100)); // new rate: 20/s = one per 50 ms
    assertThat(limiter.availablePermits()).isEqualTo(5);

    limiter.reconfigure(withLimit(limiter, 2, Duration.ofSeconds(1)));
    assertThat(limiter.availablePermits()).isEqualTo(2); // capped at the new burst
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(500).toNanos());
  }

  @Test
  void tokenBucketKeepsOutstandingReservationsInPermits() {
    RateLimiter limiter = create(Algorithm.TOKEN_BUCKET, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(10)).isTrue();
    assertThat(limiter.reserve(5, Duration.ofSeconds(1).toNanos()))
        .isEqualTo(Duration.ofMillis(500).toNanos());
    // Balance is -5 permits. At 100/s they are repaid in 50 ms.
    limiter.reconfigure(withLimit(limiter, 100, Duration.ofSeconds(1)));
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(60).toNanos());
  }

  @Test
  void gcraKeepsItsStateAndRejectsAnotherAlgorithmNameOrTicker() {
    RateLimiter limiter = RateLimiters.gcra(10, Duration.ofSeconds(1), 5, ticker);
    assertThat(limiter.tryAcquire(4)).isTrue();
    limiter.reconfigure(limiter.config().toBuilder().burst(8).build());
    assertThat(limiter.availablePermits()).isEqualTo(1);

    assertThatThrownBy(
            () ->
                limiter.reconfigure(
                    limiter.config().toBuilder()
                        .algorithm(Algorithm.TOKEN_BUCKET)
                        .burst(0)
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "newConfig.algorithm must be GCRA (the algorithm cannot change) but was TOKEN_BUCKET");
    assertThatThrownBy(() -> limiter.reconfigure(limiter.config().toBuilder().name("x").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("newConfig.name must be 'gcra' (the name cannot change) but was 'x'");
    assertThatThrownBy(
            () ->
                limiter.reconfigure(
                    limiter.config().toBuilder().ticker(new LimiterTestTicker()).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("newConfig.ticker must be the limiter's ticker");
    assertThatThrownBy(() -> limiter.reconfigure(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("newConfig");
  }

  @Test
  void multiBandwidthMatchesBandwidthsByPositionAndNewOnesStartFull() {
    RateLimiter limiter =
        RateLimiters.create(
            RateLimiterConfig.builder()
                .limit(10, Duration.ofSeconds(1))
                .addBandwidth(100, Duration.ofMinutes(1))
                .ticker(ticker)
                .build());
    assertThat(limiter.tryAcquire(6)).isTrue();
    limiter.reconfigure(
        limiter.config().toBuilder()
            .addBandwidth(5, Duration.ofSeconds(10)) // third, new: starts full (5)
            .build());
    assertThat(limiter.config().bandwidths()).hasSize(3);
    assertThat(limiter.availablePermits()).isEqualTo(4);
    assertThat(limiter.tryAcquire(4)).isTrue();
    assertThat(limiter.availablePermits()).isZero();
    ticker.advance(Duration.ofSeconds(2)); // third: 1 left + 1 refilled (one per 2 s)
    assertThat(limiter.availablePermits()).isEqualTo(2);
  }

  @Test
  void fixedWindowKeepsTheCountAndAppliesTheNewLimitAtOnce() {
    RateLimiter limiter = create(Algorithm.FIXED_WINDOW, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(6)).isTrue();
    limiter.reconfigure(withLimit(limiter, 5, Duration.ofSeconds(1)));
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.tryAcquire()).isFalse();
    limiter.reconfigure(withLimit(limiter, 8, Duration.ofSeconds(1)));
    assertThat(limiter.availablePermits()).isEqualTo(2);
    // A new window length realigns windows to now; the count moves into the new window.
    ticker.advance(Duration.ofMillis(900));
    limiter.reconfigure(withLimit(limiter, 8, Duration.ofMillis(500)));
    assertThat(limiter.availablePermits()).isEqualTo(2);
    ticker.advance(Duration.ofMillis(499));
    assertThat(limiter.availablePermits()).isEqualTo(2);
    ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.availablePermits()).isEqualTo(8);
  }

  @Test
  void slidingLogKeepsTheMostRecentAdmissions() {
    RateLimiter limiter = create(Algorithm.SLIDING_WINDOW_LOG, 5, Duration.ofSeconds(1));
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
      ticker.advance(Duration.ofMillis(100)); // admissions at 0, 100, ..., 400 ms
    }
    limiter.reconfigure(withLimit(limiter, 3, Duration.ofSeconds(1)));
    // Kept: 200, 300, 400 ms. Next slot frees when 200 ms leaves the window, at 1200 ms.
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(700).toNanos());
    limiter.reconfigure(withLimit(limiter, 6, Duration.ofSeconds(1)));
    assertThat(limiter.availablePermits()).isEqualTo(3);
    limiter.reconfigure(withLimit(limiter, 6, Duration.ofMillis(250)));
    assertThat(limiter.availablePermits()).isEqualTo(6 - 2); // 300 and 400 ms are within 250 ms
  }

  @Test
  void slidingCounterKeepsItsCounts() {
    RateLimiter limiter = create(Algorithm.SLIDING_WINDOW_COUNTER, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(8)).isTrue();
    limiter.reconfigure(withLimit(limiter, 9, Duration.ofSeconds(1)));
    assertThat(limiter.availablePermits()).isEqualTo(1);
    ticker.advance(Duration.ofMillis(1500)); // previous = 8, weighted 4
    assertThat(limiter.availablePermits()).isEqualTo(5);
  }

  @Test
  void smoothKeepsTheNextFreeTimeAndSpacesLaterPermitsAtTheNewRate() {
    RateLimiter limiter = create(Algorithm.SMOOTH, 10, Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire()).isTrue();
    limiter.reconfigure(withLimit(limiter, 2, Duration.ofSeconds(1)));
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(100).toNanos());
    ticker.advance(Duration.ofMillis(100));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.nanosUntilAvailable(1)).isEqualTo(Duration.ofMillis(500).toNanos());
  }

  @Test
  void listenersHearAboutReconfiguration() {
    RateLimiter limiter = create(Algorithm.TOKEN_BUCKET, 10, Duration.ofSeconds(1));
    List<String> events = new ArrayList<>();
    limiter.addListener(
        new RateLimiterListener() {
          @Override
          public void onReconfigured(
              RateLimiter l, RateLimiterConfig oldConfig, RateLimiterConfig newConfig) {
            events.add(oldConfig.limit() + "->" + newConfig.limit());
          }
        });
    limiter.reconfigure(withLimit(limiter, 20, Duration.ofSeconds(1)));
    assertThat(events).containsExactly("10->20");
    assertThat(limiter.config().limit()).isEqualTo(20);
  }
}
