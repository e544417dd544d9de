package io.dsblocks.benchmarks.ratelimit;

import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiters;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dsblocks algorithms side by side: {@code tryAcquire()} that always succeeds, at 1 and 2
 * threads sharing one limiter. Limits are set far above what the benchmark consumes (the
 * sliding-window log keeps one slot per permit of limit, so it gets 2^17 permits per millisecond).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RateLimiterAlgorithmsBenchmark -f 1 -wi
 * 3 -w 1s -i 5 -r 1s -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RateLimiterAlgorithmsBenchmark {

  @Param({
    "tokenBucket",
    "gcra",
    "smooth",
    "fixedWindow",
    "slidingWindowLog",
    "slidingWindowCounter"
  })
  String algorithm;

  private RateLimiter limiter;

  /** Builds the limiter. */
  @Setup
  public void setUp() {
    Duration second = Duration.ofSeconds(1);
    switch (algorithm) {
      case "tokenBucket":
        limiter = RateLimiters.tokenBucket(1_000_000_000L, second);
        break;
      case "gcra":
        limiter = RateLimiters.gcra(1_000_000_000L, second, 1_000_000_000L);
        break;
      case "smooth":
        limiter = RateLimiters.smooth(1_000_000_000L, second);
        break;
      case "fixedWindow":
        limiter = RateLimiters.fixedWindow(Integer.MAX_VALUE, second);
        break;
      case "slidingWindowLog":
        // 2^17 permits per ms (a 2 MiB ring): never exhausted at the rates measured here.
        limiter = RateLimiters.slidingWindowLog(1 << 17, Duration.ofMillis(1));
        break;
      case "slidingWindowCounter":
        // 4.2 M per 10 ms: two threads at ~30 ns per call take ~0.7 M per 10 ms, far below it
        // (per 100 ms, as before, they would reach the limit and measure refusals).
        limiter = RateLimiters.slidingWindowCounter((1 << 22) - 1, Duration.ofMillis(10));
        break;
      default:
        throw new IllegalArgumentException("unknown algorithm " + algorithm);
    }
  }

  /**
   * One thread.
   *
   * @return the decision
   */
  @Benchmark
  @Threads(1)
  public boolean tryAcquire1Thread() {
    return limiter.tryAcquire();
  }

  /**
   * Two threads sharing the limiter.
   *
   * @return the decision
   */
  @Benchmark
  @Threads(2)
  public boolean tryAcquire2Threads() {
    return limiter.tryAcquire();
  }
}
