package io.dsblocks.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiterConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the striped window limiters (jqwik, fixed seed): on random sequences of takes (from
 * chosen stripes), reservations, explicit splits, queries and reconfigurations, with time moving
 * across windows and readings arriving up to half a window stale (as racing threads' readings do),
 * every decision and every query of a striped limiter equals that of a twin that never stripes, and
 * the fixed window never admits more than the limit in any aligned window.
 */
class StripedWindowsPropertiesTest {
  private static final long W = 1_000;
  private static final long LIMIT = 40;

  /** One operation: what, permits, stripe probe, time step, staleness of the reading. */
  record Op(int kind, long permits, long probe, long step, long staleness) {}

  private static final int ACQUIRE = 0;
  private static final int WAITING = 1;
  private static final int SPLIT = 2;
  private static final int QUERY = 3;
  private static final int RECONFIGURE = 4;

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> kind =
        Arbitraries.integers().between(0, 12).map(k -> k < 6 ? ACQUIRE : Math.min(k - 5, 4));
    return Combinators.combine(
            kind,
            Arbitraries.oneOf(
                Arbitraries.longs().between(1, 6), Arbitraries.longs().between(7, 30)),
            Arbitraries.longs().between(0, 3),
            Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 60),
                Arbitraries.longs().between(200, 1_500)),
            Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, W / 2)))
        .as(Op::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(200);
  }

  private static RateLimiterConfig config(RateLimiterConfig.Algorithm algorithm, long limit) {
    return RateLimiterConfig.builder()
        .algorithm(algorithm)
        .limit(limit, Duration.ofNanos(W))
        .ticker(() -> 0)
        .build();
  }

  @Property(tries = 300, seed = "20261128")
  void stripedFixedWindowDecidesLikeOneWord(@ForAll("ops") List<Op> ops) {
    RateLimiterConfig.Algorithm a = RateLimiterConfig.Algorithm.FIXED_WINDOW;
    FixedWindowRateLimiter striped = new FixedWindowRateLimiter(config(a, LIMIT), 4, 2, false);
    FixedWindowRateLimiter twin = new FixedWindowRateLimiter(config(a, LIMIT), 0, 2, false);
    long now = 0;
    long limit = LIMIT; // the API refuses permits above the limit in force
    long seen = 0; // the latest window any reading fell in: a stale reading counts there
    Map<Long, Long> perWindow = new HashMap<>();
    for (Op op : ops) {
      now += op.step();
      long t = Math.max(0, now - op.staleness());
      if (op.kind() != RECONFIGURE) {
        seen = Math.max(seen, t / W); // reconfigure reads the (standing) ticker, not t
      }
      switch (op.kind()) {
        case ACQUIRE, WAITING -> {
          long maxWait = op.kind() == WAITING ? W : 0;
          long r = striped.reserveAt(Math.min(op.permits(), limit), t, maxWait, op.probe());
          assertThat(r).isEqualTo(twin.reserveAt(Math.min(op.permits(), limit), t, maxWait, 0));
          if (r >= 0) {
            perWindow.merge(r == 0 ? seen : seen + 1, Math.min(op.permits(), limit), Long::sum);
          }
        }
        case SPLIT -> {
          striped.expandAt(t);
          // A split reads the window at t (as every call does); let the twin see it too.
          assertThat(striped.availablePermitsAt(t)).isEqualTo(twin.availablePermitsAt(t));
        }
        case QUERY -> {
          assertThat(striped.availablePermitsAt(t)).isEqualTo(twin.availablePermitsAt(t));
          assertThat(striped.nanosUntilAvailableAt(op.permits(), t))
              .isEqualTo(twin.nanosUntilAvailableAt(op.permits(), t));
        }
        default -> {
          // Same window length, so windows stay aligned and the bound below stays checkable.
          limit = op.permits() % 2 == 0 ? LIMIT : LIMIT / 2;
          RateLimiterConfig c = config(a, limit);
          striped.reconfigure(c);
          twin.reconfigure(c);
        }
      }
    }
    // Each grant counts in the window it was decided in (a reservation: the next one); no
    // aligned window holds more than LIMIT (the largest limit ever in force here).
    assertThat(perWindow.values()).allMatch(permits -> permits <= LIMIT);
  }

  @Property(tries = 300, seed = "20261128")
  void stripedSlidingCounterDecidesLikeOneWord(@ForAll("ops") List<Op> ops) {
    RateLimiterConfig.Algorithm a = RateLimiterConfig.Algorithm.SLIDING_WINDOW_COUNTER;
    SlidingWindowCounterRateLimiter striped =
        new SlidingWindowCounterRateLimiter(config(a, LIMIT), 4, 2, false);
    SlidingWindowCounterRateLimiter twin =
        new SlidingWindowCounterRateLimiter(config(a, LIMIT), 0, 2, false);
    long now = 0;
    long limit = LIMIT; // the API refuses permits above the limit in force
    for (Op op : ops) {
      now += op.step();
      long t = Math.max(0, now - op.staleness());
      switch (op.kind()) {
        case ACQUIRE, WAITING -> {
          long permits = Math.min(op.permits(), limit);
          long r = striped.reserveAt(permits, t, 0, op.probe());
          assertThat(r).isEqualTo(twin.reserveAt(permits, t, 0, 0));
        }
        case SPLIT -> {
          striped.expandAt(t);
          // A split reads the window at t (as every call does); let the twin see it too.
          assertThat(striped.availablePermitsAt(t)).isEqualTo(twin.availablePermitsAt(t));
        }
        case QUERY -> {
          assertThat(striped.availablePermitsAt(t)).isEqualTo(twin.availablePermitsAt(t));
          assertThat(striped.nanosUntilAvailableAt(op.permits(), t))
              .isEqualTo(twin.nanosUntilAvailableAt(op.permits(), t));
        }
        default -> {
          limit = op.permits() % 2 == 0 ? LIMIT : LIMIT / 2;
          RateLimiterConfig c = config(a, limit);
          striped.reconfigure(c);
          twin.reconfigure(c);
        }
      }
    }
  }
}
