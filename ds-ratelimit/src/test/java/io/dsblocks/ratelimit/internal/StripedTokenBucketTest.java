package io.dsblocks.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.LimiterHammer;
import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The contention-adaptive (striped) token bucket under real threads: exact counts with a ticker
 * that stands still, reservations ordered on one word, the "burst plus refill" bound with a moving
 * clock whose readings reach the limiter out of order, and no allocation on the striped path.
 */
class StripedTokenBucketTest {
  private static final int THREADS = 8;
  private static final int ATTEMPTS_PER_THREAD = 5_000;
  private static final long LIMIT = 1_000;

  private static RateLimiterConfig config(AtomicLong clock) {
    return RateLimiterConfig.builder()
        .limit(LIMIT, Duration.ofSeconds(1))
        .ticker(clock::get)
        .recordStats()
        .build();
  }

  private static long hammer(RateLimiter limiter, int permits) throws Exception {
    return LimiterHammer.admitted(limiter, THREADS, ATTEMPTS_PER_THREAD, permits);
  }

  @Test
  void stripedBucketAdmitsExactlyTheBurstThenExactlyTheRefill() throws Exception {
    AtomicLong clock = new AtomicLong(7);
    TatRateLimiter limiter = new TatRateLimiter(config(clock), 4, 16, true);
    assertThat(limiter.expandAt(0)).isTrue();
    assertThat(limiter.isStriped()).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(LIMIT);

    assertThat(hammer(limiter, 1)).isEqualTo(LIMIT);
    assertThat(limiter.availablePermits()).isZero();
    assertThat(limiter.stats().rejectedCalls()).isEqualTo(THREADS * ATTEMPTS_PER_THREAD - LIMIT);

    clock.addAndGet(Duration.ofMillis(250).toNanos());
    assertThat(limiter.expandAt(clock.get() - 7)).isTrue(); // 250 permits: 62 per stripe
    assertThat(limiter.availablePermits()).isEqualTo(LIMIT / 4);
    assertThat(hammer(limiter, 2)).isEqualTo(LIMIT / 4);
  }

  @Test
  void defaultLimiterStripesUnderContentionAndStaysExact() throws Exception {
    AtomicLong clock = new AtomicLong(7);
    // Default striping (a lost CAS splits the word): whether it splits depends on scheduling,
    // the count must not.
    TatRateLimiter limiter = new TatRateLimiter(config(clock));
    assertThat(hammer(limiter, 1)).isEqualTo(LIMIT);
    clock.addAndGet(Duration.ofMillis(500).toNanos());
    assertThat(hammer(limiter, 1)).isEqualTo(LIMIT / 2);
  }

  @Test
  void reconfiguringWhileStripedUnderLoadLosesAndAddsNothing() throws Exception {
    AtomicLong clock = new AtomicLong(7);
    TatRateLimiter limiter = new TatRateLimiter(config(clock), 4, 16, true);
    assertThat(limiter.expandAt(0)).isTrue();
    RateLimiterConfig same = limiter.config().toBuilder().build();
    long admitted =
        LimiterHammer.whileLooping(
            () -> {
              limiter.reconfigure(same); // collapses the stripes; contention splits again
              limiter.expandAt(0);
            },
            () -> hammer(limiter, 1));
    assertThat(admitted).isEqualTo(LIMIT);
  }

  @Test
  void shadowModeWhileStripedLetsEverythingThroughAndCountsExactly() throws Exception {
    AtomicLong clock = new AtomicLong(7);
    TatRateLimiter limiter =
        new TatRateLimiter(config(clock).toBuilder().shadowMode(true).build(), 4, 16, true);
    assertThat(limiter.expandAt(0)).isTrue();
    assertThat(hammer(limiter, 1)).isEqualTo((long) THREADS * ATTEMPTS_PER_THREAD);
    assertThat(limiter.stats().permittedPermits()).isEqualTo(LIMIT);
    assertThat(limiter.stats().shadowRejectedCalls())
        .isEqualTo(THREADS * ATTEMPTS_PER_THREAD - LIMIT);
  }

  @Test
  void reservationsWhileStripedAreOrderedOnTheWord() throws Exception {
    AtomicLong clock = new AtomicLong(7);
    TatRateLimiter limiter = new TatRateLimiter(config(clock), 4, 16, true);
    assertThat(limiter.expandAt(0)).isTrue();
    LimiterHammer.Reservations r =
        LimiterHammer.reservations(limiter, THREADS, 1_000, Duration.ofMillis(1999).toNanos());
    assertThat(r.immediate()).isEqualTo(LIMIT);
    assertThat(r.waits().length).isEqualTo(1999); // one per millisecond for 1999 ms
    // Every reservation got its own slot: the waits are exactly 1 ms, 2 ms, ..., 1999 ms.
    long[] all = r.waits();
    for (int i = 0; i < all.length; i++) {
      assertThat(all[i]).isEqualTo((i + 1) * 1_000_000L);
    }
  }

  @Test
  void movingClockWithOutOfOrderReadingsNeverAdmitsMoreThanBurstPlusRefill() throws Exception {
    long burst = 100;
    long interval = 1_000; // one permit per microsecond
    AtomicLong clock = new AtomicLong(0);
    RateLimiterConfig config =
        RateLimiterConfig.builder()
            .limit(burst, Duration.ofNanos(burst * interval))
            .ticker(clock::get)
            .build();
    // Small stripes threshold so that the bucket splits and collapses often.
    TatRateLimiter limiter = new TatRateLimiter(config, 4, 2, true);
    int threads = 4;
    int attempts = 10_000;
    long[][] admittedAt = new long[threads][];
    LongAdder splits = new LongAdder();
    LimiterHammer.onAllThreads(
        threads,
        thread -> {
          SplittableRandom random = new SplittableRandom(42 + thread);
          long[] mine = new long[attempts];
          int n = 0;
          for (int a = 0; a < attempts; a++) {
            // Mostly short steps (the bucket runs dry), sometimes a pause that refills it.
            long step = random.nextInt(100) == 0 ? 80_000 : random.nextInt(120);
            long t = clock.addAndGet(step); // readings reach the limiter in any order
            if (random.nextInt(64) == 0 && limiter.expandAt(t)) {
              splits.increment();
            }
            if (limiter.reserveAt(1, t, 0) == 0) {
              mine[n++] = t;
            }
          }
          admittedAt[thread] = Arrays.copyOf(mine, n);
        });
    long[] times = Arrays.stream(admittedAt).flatMapToLong(Arrays::stream).sorted().toArray();
    assertThat(splits.sum()).isPositive();
    assertThat(times.length).isGreaterThan((int) burst);
    assertBurstPlusRefill(times, burst, interval);
  }

  /**
   * Every closed interval {@code [times[i], times[j]]} of the sorted admission times admits at most
   * {@code burst + (times[j] - times[i]) / interval}, i.e. {@code (j - i + 1 - burst) * interval <=
   * times[j] - times[i]}, i.e. {@code (j + 1 - burst) * interval - times[j] <= i * interval -
   * times[i]} for every {@code i <= j}: one pass with a running minimum.
   */
  static void assertBurstPlusRefill(long[] times, long burst, long interval) {
    long minRight = Long.MAX_VALUE;
    int argMin = -1;
    for (int j = 0; j < times.length; j++) {
      long right = j * interval - times[j];
      if (right < minRight) {
        minRight = right;
        argMin = j;
      }
      long left = (j + 1 - burst) * interval - times[j];
      assertThat(left)
          .as(
              "%d admissions in [%d, %d], bound %d",
              j - argMin + 1,
              times[argMin],
              times[j],
              burst + (times[j] - times[argMin]) / interval)
          .isLessThanOrEqualTo(minRight);
    }
  }

  @Test
  void aStaleReadingCannotCollapseTheStripesIntoMorePermits() {
    // Burst 40, one permit per 10 ns; 4 stripes of 10 permits each, one per 40 ns each.
    AtomicLong clock = new AtomicLong(0);
    TatRateLimiter limiter =
        new TatRateLimiter(
            RateLimiterConfig.builder().limit(40, Duration.ofNanos(400)).ticker(clock::get).build(),
            4,
            1,
            false);
    long a = 1_000;
    assertThat(limiter.reserveAt(40, a - 440, 0, 0)).isZero(); // empty until a - 40
    assertThat(limiter.expandAt(a - 80)).isTrue(); // every stripe: full again at a - 40
    clock.set(a);
    assertThat(limiter.reserveAt(10, a, 0, 0)).isZero(); // stripe of probe 0 drained, at a
    // A racing thread read the clock at a - 80 and only now reaches the limiter; its stripe is
    // short, so it collapses the stripes (and is refused: 30 > the 22 pooled at a - 80).
    assertThat(limiter.reserveAt(30, a - 80, 0, 0)).isEqualTo(RateLimiter.REJECTED);
    assertThat(limiter.isStriped()).isFalse();
    // Pooling at a - 80 would count the other stripes' 40 ns of debt as refillable before a,
    // although they were full at a: 33 more at a, 43 in [a, a]. Pooled at the clock (a): 30.
    assertThat(limiter.availablePermitsAt(a)).isEqualTo(30);
    assertThat(limiter.reserveAt(31, a, 0, 0)).isEqualTo(RateLimiter.REJECTED);
    assertThat(limiter.reserveAt(30, a, 0, 0)).isZero();
  }

  @Test
  void stripedHotPathAllocatesNothing() {
    AtomicLong clock = new AtomicLong(7);
    TatRateLimiter limiter =
        new TatRateLimiter(
            RateLimiterConfig.builder()
                .limit(1_000_000_000L, Duration.ofSeconds(1))
                .ticker(clock::get)
                .build(),
            4,
            16,
            true);
    assertThat(limiter.expandAt(0)).isTrue(); // allocates the stripes once
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long admitted = 0;
    for (int i = 0; i < 1_000; i++) { // warm up
      clock.incrementAndGet();
      admitted += limiter.tryAcquire() ? 1 : 0;
    }
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      clock.incrementAndGet();
      admitted += limiter.tryAcquire() ? 1 : 0;
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(admitted).isEqualTo(101_000);
    assertThat(limiter.isStriped()).isTrue();
    assertThat(allocated).isLessThan(50_000); // one object per call would be megabytes
  }
}
