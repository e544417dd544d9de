package io.dsblocks.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.LimiterHammer;
import io.dsblocks.ratelimit.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The striped sliding-window log under real threads: with a ticker that stands still, 8 threads
 * admit exactly the limit (split explicitly, by contention, and with a reconfiguration looping
 * under load), and shadow mode counts exactly the excess.
 */
class StripedLogTest {
  private static final int THREADS = 8;
  private static final int ATTEMPTS_PER_THREAD = 2_000;
  private static final long LIMIT = 1_000;

  private static RateLimiterConfig config(AtomicLong clock, boolean shadow) {
    return RateLimiterConfig.builder()
        .algorithm(RateLimiterConfig.Algorithm.SLIDING_WINDOW_LOG)
        .limit(LIMIT, Duration.ofSeconds(1))
        .ticker(clock::get)
        .shadowMode(shadow)
        .recordStats()
        .build();
  }

  /** Runs THREADS threads of tryAcquire (permits 1 or 2) and returns the permits admitted. */
  private static long hammer(SlidingWindowLogRateLimiter limiter, Runnable extra) throws Exception {
    return hammer(limiter, extra, true);
  }

  private static long hammer(SlidingWindowLogRateLimiter limiter, Runnable extra, boolean mixed)
      throws Exception {
    return LimiterHammer.admitted(
        limiter, THREADS, ATTEMPTS_PER_THREAD, th -> mixed ? 1 + th % 2 : 1, extra);
  }

  @Test
  void explicitlySplitLogAdmitsExactlyTheLimit() throws Exception {
    AtomicLong clock = new AtomicLong(5_000_000_000L);
    SlidingWindowLogRateLimiter limiter =
        new SlidingWindowLogRateLimiter(config(clock, false), 4, 8, true);
    assertThat(limiter.tryAcquire(3)).isTrue();
    assertThat(limiter.expandAt(clock.get())).isTrue();
    long admitted = hammer(limiter, () -> limiter.expandAt(clock.get()));
    assertThat(admitted + 3).isEqualTo(LIMIT);
    assertThat(limiter.availablePermits()).isZero();
  }

  @Test
  void contentionSplitLogAdmitsExactlyTheLimit() throws Exception {
    AtomicLong clock = new AtomicLong(0);
    SlidingWindowLogRateLimiter limiter = new SlidingWindowLogRateLimiter(config(clock, false));
    assertThat(hammer(limiter, () -> {})).isEqualTo(LIMIT);
    // One window later the whole limit is free again, exactly.
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(limiter.availablePermits()).isEqualTo(LIMIT);
  }

  @Test
  void reconfigurationUnderLoadKeepsTheCountExact() throws Exception {
    AtomicLong clock = new AtomicLong(0);
    RateLimiterConfig same = config(clock, false);
    SlidingWindowLogRateLimiter limiter = new SlidingWindowLogRateLimiter(same, 4, 8, true);
    assertThat(limiter.expandAt(0)).isTrue();
    // Reconfiguring to the same limit collapses the stripes and keeps every admission.
    long admitted = hammer(limiter, () -> limiter.reconfigure(same));
    assertThat(admitted).isEqualTo(LIMIT);
  }

  @Test
  void shadowModeWhileStripedAdmitsEverythingAndCountsTheExcess() throws Exception {
    AtomicLong clock = new AtomicLong(0);
    SlidingWindowLogRateLimiter limiter =
        new SlidingWindowLogRateLimiter(config(clock, true), 4, 8, true);
    assertThat(limiter.expandAt(0)).isTrue();
    assertThat(hammer(limiter, () -> {}, false)).isEqualTo((long) THREADS * ATTEMPTS_PER_THREAD);
    assertThat(limiter.stats().shadowRejectedCalls())
        .isEqualTo(THREADS * ATTEMPTS_PER_THREAD - LIMIT);
  }
}
