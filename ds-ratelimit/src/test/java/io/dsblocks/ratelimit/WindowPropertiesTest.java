package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;

/**
 * Random traffic (time steps and permit counts) against each algorithm, checked two ways: every
 * decision equals an independent model computed from the admission log, and the admission log
 * satisfies the algorithm's stated bound. Windows are 1000 ns; time is relative to creation.
 *
 * <ul>
 *   <li>fixed window: each aligned window {@code [kW, (k+1)W)} admits at most {@code limit};
 *   <li>sliding-window log: every half-open interval {@code (x, x+W]} admits at most {@code limit};
 *   <li>sliding-window counter: each aligned window admits at most {@code limit}, every admission
 *       satisfies {@code prev * (W - e) / W + current + n <= limit}, and every interval of length
 *       {@code W} admits at most {@code 2 * limit};
 *   <li>token bucket: every closed interval {@code [a, b]} admits at most {@code burst + (b - a) /
 *       interval}.
 * </ul>
 */
class WindowPropertiesTest {
  private static final long W = 1000;

  /** One admitted call: relative time and permits. */
  private record Admission(long time, long permits) {}

  @Provide
  Arbitrary<List<Tuple2<Long, Integer>>> traffic() {
    Arbitrary<Long> step =
        Arbitraries.oneOf(
            Arbitraries.just(0L),
            Arbitraries.of(1L, W / 2, W - 1, W, W + 1), // boundaries of windows
            Arbitraries.longs().between(1, 100),
            Arbitraries.longs().between(100, 2_500));
    Arbitrary<Integer> permits = Arbitraries.integers().between(1, 8);
    return Combinators.combine(step, permits).as(Tuple::of).list().ofMinSize(1).ofMaxSize(200);
  }

  private static List<Admission> run(
      Algorithm algorithm, int limit, List<Tuple2<Long, Integer>> traffic, Model model) {
    LimiterTestTicker ticker = new LimiterTestTicker(-5_000); // crosses zero on purpose
    RateLimiter limiter =
        RateLimiters.create(
            RateLimiterConfig.builder()
                .algorithm(algorithm)
                .limit(limit, Duration.ofNanos(W))
                .ticker(ticker)
                .build());
    List<Admission> log = new ArrayList<>();
    long t = 0;
    for (Tuple2<Long, Integer> step : traffic) {
      t += step.get1();
      ticker.advanceNanos(step.get1());
      long n = Math.min(step.get2(), limit);
      boolean expected = model.admits(log, t, n, limit);
      boolean actual = limiter.tryAcquire(n);
      assertThat(actual)
          .as("decision at t=%d for %d permits, log %s", t, n, log)
          .isEqualTo(expected);
      if (actual) {
        log.add(new Admission(t, n));
      }
    }
    return log;
  }

  interface Model {
    boolean admits(List<Admission> log, long t, long n, long limit);
  }

  private static long sum(List<Admission> log, long fromExclusive, long toInclusive) {
    long s = 0;
    for (Admission a : log) {
      if (a.time() > fromExclusive && a.time() <= toInclusive) {
        s += a.permits();
      }
    }
    return s;
  }

  private static long inAlignedWindow(List<Admission> log, long k) {
    return sum(log, k * W - 1, (k + 1) * W - 1);
  }

  @Property(tries = 300, seed = "20261127")
  void fixedWindowAdmitsAtMostTheLimitPerAlignedWindow(
      @ForAll("traffic") List<Tuple2<Long, Integer>> traffic,
      @ForAll @IntRange(min = 1, max = 6) int limit) {
    List<Admission> log =
        run(
            Algorithm.FIXED_WINDOW,
            limit,
            traffic,
            (l, t, n, lim) -> inAlignedWindow(l, t / W) + n <= lim);
    for (Admission a : log) {
      assertThat(inAlignedWindow(log, a.time() / W)).isLessThanOrEqualTo(limit);
    }
  }

  @Property(tries = 300, seed = "20261127")
  void slidingLogAdmitsAtMostTheLimitInAnyIntervalOfLengthW(
      @ForAll("traffic") List<Tuple2<Long, Integer>> traffic,
      @ForAll @IntRange(min = 1, max = 6) int limit) {
    List<Admission> log =
        run(
            Algorithm.SLIDING_WINDOW_LOG,
            limit,
            traffic,
            (l, t, n, lim) -> sum(l, t - W, t) + n <= lim);
    // The count of (x, x+W] only grows when x+W reaches an admission: checking windows that end
    // at each admission covers every interval.
    for (Admission a : log) {
      assertThat(sum(log, a.time() - W, a.time())).isLessThanOrEqualTo(limit);
    }
  }

  @Property(tries = 300, seed = "20261127")
  void slidingCounterKeepsItsWeightedEstimateWithinTheLimit(
      @ForAll("traffic") List<Tuple2<Long, Integer>> traffic,
      @ForAll @IntRange(min = 1, max = 6) int limit) {
    Model weighted =
        (l, t, n, lim) -> {
          long k = t / W;
          long e = t - k * W;
          long current = inAlignedWindow(l, k);
          long previous = inAlignedWindow(l, k - 1);
          // previous * (W - e) / W + current + n <= limit, in exact integers
          BigInteger lhs =
              BigInteger.valueOf(previous)
                  .multiply(BigInteger.valueOf(W - e))
                  .add(BigInteger.valueOf(current + n).multiply(BigInteger.valueOf(W)));
          return lhs.compareTo(BigInteger.valueOf(lim).multiply(BigInteger.valueOf(W))) <= 0;
        };
    List<Admission> log = run(Algorithm.SLIDING_WINDOW_COUNTER, limit, traffic, weighted);
    for (Admission a : log) {
      assertThat(inAlignedWindow(log, a.time() / W)).isLessThanOrEqualTo(limit);
      assertThat(sum(log, a.time() - W, a.time())).isLessThanOrEqualTo(2L * limit);
    }
  }

  @Property(tries = 300, seed = "20261127")
  void tokenBucketNeverExceedsBurstPlusRefill(
      @ForAll("traffic") List<Tuple2<Long, Integer>> traffic,
      @ForAll @IntRange(min = 1, max = 6) int limit) {
    long interval = W / limit;
    long tau = limit * interval;
    // Model: a bucket level in nanoseconds of credit, capped at tau, replayed from the log.
    Model bucket =
        (l, t, n, lim) -> {
          long level = tau;
          long last = 0;
          for (Admission a : l) {
            level = Math.min(tau, level + (a.time() - last)) - a.permits() * interval;
            last = a.time();
          }
          level = Math.min(tau, level + (t - last));
          return level >= n * interval;
        };
    List<Admission> log = run(Algorithm.TOKEN_BUCKET, limit, traffic, bucket);
    for (Admission from : log) {
      for (Admission to : log) {
        if (to.time() >= from.time()) {
          long admitted = sum(log, from.time() - 1, to.time());
          assertThat(admitted).isLessThanOrEqualTo(limit + (to.time() - from.time()) / interval);
        }
      }
    }
  }
}
