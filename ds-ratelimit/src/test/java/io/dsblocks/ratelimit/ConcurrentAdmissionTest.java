package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many threads hammer one limiter while the ticker stands still: exactly the limit must be
 * admitted, never one more; then the ticker moves and exactly the refill must be admitted.
 */
class ConcurrentAdmissionTest {
  private static final int THREADS = 8;
  private static final int ATTEMPTS_PER_THREAD = 5_000;
  private static final long LIMIT = 1_000;

  private static RateLimiterConfig config(Algorithm algorithm, LimiterTestTicker ticker) {
    RateLimiterConfig.Builder b =
        RateLimiterConfig.builder()
            .algorithm(algorithm)
            .limit(LIMIT, Duration.ofSeconds(1))
            .ticker(ticker)
            .recordStats();
    if (algorithm == Algorithm.TOKEN_BUCKET) {
      b.addBandwidth(10 * LIMIT, Duration.ofMinutes(1)); // exercise the multi-bandwidth path too
    }
    return b.build();
  }

  /** Runs the attempts on all threads at once; returns the permits admitted. */
  private static long hammer(RateLimiter limiter, int permitsPerCall) throws Exception {
    return LimiterHammer.admitted(limiter, THREADS, ATTEMPTS_PER_THREAD, permitsPerCall);
  }

  @ParameterizedTest
  @EnumSource(
      value = Algorithm.class,
      names = {
        "TOKEN_BUCKET",
        "GCRA",
        "FIXED_WINDOW",
        "SLIDING_WINDOW_LOG",
        "SLIDING_WINDOW_COUNTER"
      })
  void admitsExactlyTheLimitThenExactlyTheRefill(Algorithm algorithm) throws Exception {
    LimiterTestTicker ticker = new LimiterTestTicker();
    RateLimiter limiter = RateLimiters.create(config(algorithm, ticker));

    assertThat(hammer(limiter, 1)).isEqualTo(LIMIT);
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.stats().permittedPermits()).isEqualTo(LIMIT);
    assertThat(limiter.stats().rejectedCalls()).isEqualTo(THREADS * ATTEMPTS_PER_THREAD - LIMIT);

    long expectedRefill;
    if (algorithm == Algorithm.TOKEN_BUCKET || algorithm == Algorithm.GCRA) {
      ticker.advance(Duration.ofMillis(250)); // a quarter of the rate
      expectedRefill = LIMIT / 4;
    } else if (algorithm == Algorithm.SLIDING_WINDOW_COUNTER) {
      // Half-way through the next window, half of the previous window's count still weighs.
      ticker.advance(Duration.ofMillis(1500));
      expectedRefill = LIMIT / 2;
    } else {
      ticker.advance(Duration.ofSeconds(1)); // the whole window has passed
      expectedRefill = LIMIT;
    }
    assertThat(hammer(limiter, 2)).isEqualTo(expectedRefill);
  }

  @ParameterizedTest
  @EnumSource(
      value = Algorithm.class,
      names = {"TOKEN_BUCKET", "GCRA", "FIXED_WINDOW", "SLIDING_WINDOW_LOG"})
  void reservationsUnderContentionNeverOverbook(Algorithm algorithm) throws Exception {
    LimiterTestTicker ticker = new LimiterTestTicker();
    RateLimiter limiter = RateLimiters.create(config(algorithm, ticker));
    LimiterHammer.Reservations r =
        LimiterHammer.reservations(limiter, THREADS, 1_000, Duration.ofMillis(1999).toNanos());
    // Now: the burst. Later: whatever the algorithm can promise within the next 1999 ms.
    assertThat(r.immediate()).isEqualTo(LIMIT);
    long expectedLater =
        algorithm == Algorithm.FIXED_WINDOW || algorithm == Algorithm.SLIDING_WINDOW_LOG
            ? LIMIT // one more window (the fixed window reserves one window ahead at most)
            : 1999; // one permit per ms, for 1999 ms
    if (algorithm == Algorithm.SLIDING_WINDOW_LOG) {
      expectedLater = LIMIT; // the second window's permits start at 1000 ms; a third is > 1999 ms
    }
    assertThat((long) r.waits().length).isEqualTo(expectedLater);
  }

  @ParameterizedTest
  @EnumSource(
      value = Algorithm.class,
      names = {
        "TOKEN_BUCKET",
        "GCRA",
        "FIXED_WINDOW",
        "SLIDING_WINDOW_LOG",
        "SLIDING_WINDOW_COUNTER",
        "SMOOTH"
      })
  void reconfiguringToTheSameLimitWhileUnderLoadLosesAndAddsNothing(Algorithm algorithm)
      throws Exception {
    LimiterTestTicker ticker = new LimiterTestTicker();
    RateLimiter limiter = RateLimiters.create(config(algorithm, ticker));
    RateLimiterConfig same = limiter.config().toBuilder().build();
    long admitted =
        LimiterHammer.whileLooping(() -> limiter.reconfigure(same), () -> hammer(limiter, 1));
    assertThat(admitted).isEqualTo(algorithm == Algorithm.SMOOTH ? 1 : LIMIT);
  }
}
