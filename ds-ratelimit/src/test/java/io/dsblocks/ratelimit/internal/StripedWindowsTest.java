package io.dsblocks.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.LimiterHammer;
import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contention-adaptive (striped) fixed window and sliding-window counter under real threads:
 * exact counts with a ticker that stands still (split explicitly and by contention), across a
 * window boundary, with reconfiguration looping under load, in shadow mode, and no allocation on
 * the striped path.
 */
class StripedWindowsTest {
  private static final int THREADS = 8;
  private static final int ATTEMPTS_PER_THREAD = 5_000;
  private static final long LIMIT = 1_000;

  enum Kind {
    FIXED,
    SLIDING
  }

  private static RateLimiterConfig config(Kind kind, AtomicLong clock, long limit) {
    return RateLimiterConfig.builder()
        .algorithm(
            kind == Kind.FIXED
                ? RateLimiterConfig.Algorithm.FIXED_WINDOW
                : RateLimiterConfig.Algorithm.SLIDING_WINDOW_COUNTER)
        .limit(limit, Duration.ofSeconds(1))
        .ticker(clock::get)
        .recordStats()
        .build();
  }

  private static AbstractRateLimiter limiter(Kind kind, RateLimiterConfig config, boolean def) {
    if (kind == Kind.FIXED) {
      return def
          ? new FixedWindowRateLimiter(config)
          : new FixedWindowRateLimiter(config, 4, 16, true);
    }
    return def
        ? new SlidingWindowCounterRateLimiter(config)
        : new SlidingWindowCounterRateLimiter(config, 4, 16, true);
  }

  private static boolean expandAt(AbstractRateLimiter l, long t) {
    return l instanceof FixedWindowRateLimiter f
        ? f.expandAt(t)
        : ((SlidingWindowCounterRateLimiter) l).expandAt(t);
  }

  private static boolean isStriped(AbstractRateLimiter l) {
    return l instanceof FixedWindowRateLimiter f
        ? f.isStriped()
        : ((SlidingWindowCounterRateLimiter) l).isStriped();
  }

  private static long hammer(RateLimiter limiter, int permits) throws Exception {
    return LimiterHammer.admitted(limiter, THREADS, ATTEMPTS_PER_THREAD, permits);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void stripedWindowAdmitsExactlyTheLimitThenExactlyTheNextWindows(Kind kind) throws Exception {
    AtomicLong clock = new AtomicLong(7);
    AbstractRateLimiter limiter = limiter(kind, config(kind, clock, LIMIT), false);
    assertThat(expandAt(limiter, 0)).isTrue();
    assertThat(isStriped(limiter)).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(LIMIT);

    assertThat(hammer(limiter, 1)).isEqualTo(LIMIT);
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.stats().rejectedCalls()).isEqualTo(THREADS * ATTEMPTS_PER_THREAD - LIMIT);

    // Half-way into the next window: the fixed window is empty again; the sliding counter still
    // weighs the full previous window at one half.
    clock.addAndGet(Duration.ofMillis(1_500).toNanos());
    long expected = kind == Kind.FIXED ? LIMIT : LIMIT / 2;
    assertThat(expandAt(limiter, clock.get() - 7)).isEqualTo(kind == Kind.FIXED);
    assertThat(limiter.availablePermits()).isEqualTo(expected);
    assertThat(hammer(limiter, 2)).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void stripedSlidingCounterSplitsOnlyWhenItsStripesCanServe(Kind kind) throws Exception {
    AtomicLong clock = new AtomicLong(7);
    AbstractRateLimiter limiter = limiter(kind, config(kind, clock, LIMIT), false);
    assertThat(limiter.tryAcquire(LIMIT - 63)).isTrue(); // 63 free: under 16 per stripe
    assertThat(expandAt(limiter, 0)).isFalse();
    assertThat(hammer(limiter, 1)).isEqualTo(63);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void defaultLimiterStripesUnderContentionAndStaysExact(Kind kind) throws Exception {
    AtomicLong clock = new AtomicLong(7);
    AbstractRateLimiter limiter = limiter(kind, config(kind, clock, LIMIT), true);
    assertThat(hammer(limiter, 1)).isEqualTo(LIMIT);
    clock.addAndGet(Duration.ofSeconds(2).toNanos()); // two windows on: everything forgotten
    assertThat(hammer(limiter, 1)).isEqualTo(LIMIT);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void reconfiguringWhileStripedUnderLoadLosesAndAddsNothing(Kind kind) throws Exception {
    AtomicLong clock = new AtomicLong(7);
    AbstractRateLimiter limiter = limiter(kind, config(kind, clock, LIMIT), false);
    assertThat(expandAt(limiter, 0)).isTrue();
    RateLimiterConfig same = limiter.config().toBuilder().build();
    long admitted =
        LimiterHammer.whileLooping(
            () -> {
              limiter.reconfigure(same); // collapses the stripes
              expandAt(limiter, 0);
            },
            () -> hammer(limiter, 1));
    assertThat(admitted).isEqualTo(LIMIT);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void shadowModeWhileStripedCountsExactlyTheRejections(Kind kind) throws Exception {
    AtomicLong clock = new AtomicLong(7);
    AbstractRateLimiter limiter =
        limiter(kind, config(kind, clock, LIMIT).toBuilder().shadowMode(true).build(), false);
    assertThat(expandAt(limiter, 0)).isTrue();
    assertThat(hammer(limiter, 1)).isEqualTo((long) THREADS * ATTEMPTS_PER_THREAD);
    assertThat(limiter.stats().shadowRejectedCalls())
        .isEqualTo(THREADS * ATTEMPTS_PER_THREAD - LIMIT);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void stripedHotPathAllocatesNothing(Kind kind) {
    AtomicLong clock = new AtomicLong(7);
    AbstractRateLimiter limiter =
        limiter(
            kind,
            RateLimiterConfig.builder()
                .algorithm(
                    kind == Kind.FIXED
                        ? RateLimiterConfig.Algorithm.FIXED_WINDOW
                        : RateLimiterConfig.Algorithm.SLIDING_WINDOW_COUNTER)
                .limit(1_000_000, Duration.ofSeconds(1))
                .ticker(clock::get)
                .build(),
            false);
    assertThat(expandAt(limiter, 0)).isTrue(); // allocates the stripes once
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long admitted = 0;
    for (int i = 0; i < 1_000; i++) { // warm up (interpreter, counters)
      admitted += limiter.tryAcquire() ? 1 : 0;
    }
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      clock.incrementAndGet();
      admitted += limiter.tryAcquire() ? 1 : 0;
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(admitted).isEqualTo(101_000);
    assertThat(isStriped(limiter)).isTrue();
    assertThat(allocated).isLessThan(50_000); // one object per call would be megabytes
  }
}
