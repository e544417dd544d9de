package io.dsblocks.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the striped sliding-window log (jqwik, fixed seed): on random sequences of
 * admissions (from chosen stripes), reservations, explicit splits, queries and reconfigurations,
 * with time moving forward (never stale) across many windows, every decision and every query of a
 * striped log equals that of a twin that never stripes, and no window {@code (x - W, x]} ever holds
 * more permits admitted under one configuration than its limit.
 */
class StripedLogPropertiesTest {
  private static final long W = 1_000;
  private static final long LIMIT = 40;
  private static final long SMALL = 30;

  /** One operation: what, permits, stripe probe, time step. */
  record Op(int kind, long permits, long probe, long step) {}

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
                Arbitraries.longs().between(1, 4), Arbitraries.longs().between(5, 30)),
            Arbitraries.longs().between(0, 3),
            Arbitraries.oneOf(
                Arbitraries.just(0L),
                Arbitraries.longs().between(0, 60),
                Arbitraries.longs().between(200, 1_500)))
        .as(Op::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(200);
  }

  private static RateLimiterConfig config(Ticker ticker, long limit) {
    return RateLimiterConfig.builder()
        .algorithm(RateLimiterConfig.Algorithm.SLIDING_WINDOW_LOG)
        .limit(limit, Duration.ofNanos(W))
        .ticker(ticker)
        .build();
  }

  @Property(tries = 300, seed = "20261128")
  void stripedLogDecidesLikeTheSingleLogAndNeverOverAdmits(@ForAll("ops") List<Op> ops) {
    AtomicLong clock = new AtomicLong();
    Ticker ticker = clock::get;
    SlidingWindowLogRateLimiter striped =
        new SlidingWindowLogRateLimiter(config(ticker, LIMIT), 4, 2, false);
    SlidingWindowLogRateLimiter twin =
        new SlidingWindowLogRateLimiter(config(ticker, LIMIT), 0, 2, false);
    long limit = LIMIT; // the API refuses permits above the limit in force
    List<Long> stamps = new ArrayList<>(); // one entry per admitted permit
    assertThat(striped.expandAt(0)).isTrue(); // start striped: most sequences run on stripes
    for (Op op : ops) {
      long t = clock.addAndGet(op.step());
      long permits = Math.min(op.permits(), limit);
      switch (op.kind()) {
        case ACQUIRE, WAITING -> {
          long maxWait = op.kind() == WAITING ? 2 * W : 0;
          long got = striped.reserveAt(permits, t, maxWait, op.probe());
          assertThat(got).isEqualTo(twin.reserveAt(permits, t, maxWait, op.probe()));
          if (got >= 0) {
            for (long p = 0; p < permits; p++) {
              stamps.add(t + got);
            }
          }
        }
        case SPLIT -> {
          striped.expandAt(t);
          assertThat(twin.expandAt(t)).isFalse(); // the twin never stripes
        }
        case QUERY -> {
          assertThat(striped.availablePermitsAt(t)).isEqualTo(twin.availablePermitsAt(t));
          assertThat(striped.nanosUntilAvailableAt(permits, t))
              .isEqualTo(twin.nanosUntilAvailableAt(permits, t));
        }
        default -> {
          // A reconfiguration keeps only the newest admissions that fit the new limit, so the
          // bound holds per configuration: check the admissions made under this one, then restart.
          assertAtMostLimitPerWindow(stamps, limit);
          stamps.clear();
          limit = limit == LIMIT ? SMALL : LIMIT;
          striped.reconfigure(config(ticker, limit));
          twin.reconfigure(config(ticker, limit));
        }
      }
    }
    assertThat(striped.availablePermitsAt(clock.get()))
        .isEqualTo(twin.availablePermitsAt(clock.get()));
    assertAtMostLimitPerWindow(stamps, limit);
  }

  private static void assertAtMostLimitPerWindow(List<Long> stamps, long limit) {
    Collections.sort(stamps);
    for (int i = 0, lo = 0; i < stamps.size(); i++) {
      while (stamps.get(lo) <= stamps.get(i) - W) {
        lo++;
      }
      assertThat(i - lo + 1).as("permits admitted in (x - W, x]").isLessThanOrEqualTo((int) limit);
    }
  }
}
