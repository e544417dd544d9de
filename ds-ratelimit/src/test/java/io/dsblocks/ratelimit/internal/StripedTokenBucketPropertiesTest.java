package io.dsblocks.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the striped token bucket (jqwik, fixed seed), on sequences of operations that split
 * it into stripes explicitly, take from chosen stripes, wait, query and collapse:
 *
 * <ul>
 *   <li>at a time that does not move, every decision and every query equals that of a twin that
 *       never stripes (striping is invisible to exact counts);
 *   <li>with time moving and readings arriving stale (each operation uses a reading up to 80 ns
 *       old, as racing threads do), every closed interval {@code [a, b]} of grant times admits at
 *       most {@code burst + (b - a) / interval} permits.
 * </ul>
 */
class StripedTokenBucketPropertiesTest {
  private static final long INTERVAL = 10;
  private static final long BURST = 40;

  /** One operation: what, permits, stripe probe, time step, staleness of the reading. */
  record Op(int kind, long permits, long probe, long step, long staleness) {}

  private static final int ACQUIRE = 0;
  private static final int WAITING = 1;
  private static final int SPLIT = 2;
  private static final int QUERY = 3;

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 9).map(k -> k < 5 ? 0 : k - 4);
    Arbitrary<Integer> kinds = kind.map(k -> Math.min(k, QUERY));
    return Combinators.combine(
            kinds,
            Arbitraries.oneOf(
                Arbitraries.longs().between(1, 12), Arbitraries.longs().between(13, 40)),
            Arbitraries.longs().between(0, 3),
            Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 30),
                Arbitraries.longs().between(100, 500)),
            Arbitraries.longs().between(0, 80))
        .as(Op::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(150);
  }

  private static RateLimiterConfig config(AtomicLong clock) {
    return RateLimiterConfig.builder()
        .limit(BURST, Duration.ofNanos(BURST * INTERVAL))
        .ticker(clock::get)
        .build();
  }

  @Property(tries = 400, seed = "20261128")
  void atAFixedTimeStripingChangesNoDecision(@ForAll("ops") List<Op> ops) {
    AtomicLong clock = new AtomicLong();
    TatRateLimiter striped = new TatRateLimiter(config(clock), 4, 1, false);
    TatRateLimiter word = new TatRateLimiter(config(clock), 1, 1, false); // never stripes
    long t = 0;
    for (Op op : ops) {
      switch (op.kind()) {
        case ACQUIRE, WAITING -> {
          long maxWait = op.kind() == WAITING ? 150 : 0;
          assertThat(striped.reserveAt(op.permits(), t, maxWait, op.probe()))
              .as("reserve %s", op)
              .isEqualTo(word.reserveAt(op.permits(), t, maxWait, op.probe()));
        }
        case SPLIT -> striped.expandAt(t);
        default -> {
          assertThat(striped.availablePermitsAt(t)).isEqualTo(word.availablePermitsAt(t));
          assertThat(striped.nanosUntilAvailableAt(op.permits(), t))
              .isEqualTo(word.nanosUntilAvailableAt(op.permits(), t));
        }
      }
    }
  }

  @Property(tries = 400, seed = "20261128")
  void staleReadingsNeverAdmitMoreThanBurstPlusRefill(@ForAll("ops") List<Op> ops) {
    AtomicLong clock = new AtomicLong();
    TatRateLimiter limiter = new TatRateLimiter(config(clock), 4, 1, false);
    List<long[]> grants = new ArrayList<>(); // {time, permits}
    for (Op op : ops) {
      long now = clock.addAndGet(op.step()); // the limiter's own clock reads return `now`
      long t = Math.max(0, now - op.staleness());
      switch (op.kind()) {
        case ACQUIRE, WAITING -> {
          long r = limiter.reserveAt(op.permits(), t, op.kind() == WAITING ? 150 : 0, op.probe());
          if (r != RateLimiter.REJECTED) {
            grants.add(new long[] {t + r, op.permits()});
          }
        }
        case SPLIT -> limiter.expandAt(t);
        default -> limiter.availablePermitsAt(t);
      }
    }
    for (long[] from : grants) {
      for (long[] to : grants) {
        if (to[0] >= from[0]) {
          long admitted = 0;
          for (long[] g : grants) {
            if (g[0] >= from[0] && g[0] <= to[0]) {
              admitted += g[1];
            }
          }
          assertThat(admitted)
              .as("permits granted in [%d, %d]", from[0], to[0])
              .isLessThanOrEqualTo(BURST + (to[0] - from[0]) / INTERVAL);
        }
      }
    }
  }
}
