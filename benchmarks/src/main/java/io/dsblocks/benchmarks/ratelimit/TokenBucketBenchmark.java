package io.dsblocks.benchmarks.ratelimit;

import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiters;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
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
 * A token-bucket {@code tryAcquire(1)} that always succeeds (the rate is far above what the
 * benchmark can consume), dsblocks vs Bucket4j 8.14.0, Guava 33.8.0 and Resilience4j 2.4.0, at 1
 * and 2 threads sharing one limiter, plus the floor any correct limiter pays: one {@code
 * System.nanoTime()} and one uncontended compare-and-set ({@code floor}), and the same with the
 * word shared by both threads ({@code floorShared}).
 *
 * <ul>
 *   <li>dsblocks: {@code RateLimiters.tokenBucket(1e9, 1 s)}, {@code tryAcquire()};
 *   <li>Bucket4j: {@code Bucket.builder().addLimit(capacity 1e9, refillGreedy(1e9, 1 s))}, {@code
 *       tryConsume(1)} (default lock-free synchronization);
 *   <li>Guava: {@code RateLimiter.create(1e9)}, {@code tryAcquire()};
 *   <li>Resilience4j: {@code limitForPeriod = Integer.MAX_VALUE} per second, zero timeout, {@code
 *       acquirePermission()}.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TokenBucketBenchmark -f 1 -wi 3 -w 1s
 * -i 5 -r 1s -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenBucketBenchmark {

  /** The limiter under test, shared by all benchmark threads. */
  @State(Scope.Benchmark)
  public static class Limiter {
    @Param({"dsblocks", "bucket4j", "guava", "resilience4j"})
    String impl;

    BooleanSupplier tryAcquire;

    @Setup
    public void setUp() {
      switch (impl) {
        case "dsblocks":
          RateLimiter ours = RateLimiters.tokenBucket(1_000_000_000L, Duration.ofSeconds(1));
          tryAcquire = ours::tryAcquire;
          break;
        case "bucket4j":
          Bucket bucket =
              Bucket.builder()
                  .addLimit(
                      limit ->
                          limit
                              .capacity(1_000_000_000L)
                              .refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
                  .build();
          tryAcquire = () -> bucket.tryConsume(1);
          break;
        case "guava":
          com.google.common.util.concurrent.RateLimiter guava =
              com.google.common.util.concurrent.RateLimiter.create(1e9);
          tryAcquire = guava::tryAcquire;
          break;
        case "resilience4j":
          io.github.resilience4j.ratelimiter.RateLimiter r4j =
              io.github.resilience4j.ratelimiter.RateLimiter.of(
                  "bench",
                  RateLimiterConfig.custom()
                      .limitForPeriod(Integer.MAX_VALUE)
                      .limitRefreshPeriod(Duration.ofSeconds(1))
                      .timeoutDuration(Duration.ZERO)
                      .build());
          tryAcquire = r4j::acquirePermission;
          break;
        default:
          throw new IllegalArgumentException("unknown impl " + impl);
      }
      if (!tryAcquire.getAsBoolean()) {
        throw new IllegalStateException(impl + " refused the first permit");
      }
    }
  }

  /** One word per thread: the uncontended floor. */
  @State(Scope.Thread)
  public static class OwnWord {
    final AtomicLong word = new AtomicLong();
  }

  /** One word for all threads: the floor when every call must win a shared CAS. */
  @State(Scope.Benchmark)
  public static class SharedWord {
    final AtomicLong word = new AtomicLong();
  }

  private static boolean clockAndCas(AtomicLong word) {
    long now = System.nanoTime();
    long v = word.get();
    return word.compareAndSet(v, now);
  }

  /**
   * Token bucket, one thread.
   *
   * @param l the limiter
   * @return the decision
   */
  @Benchmark
  @Threads(1)
  public boolean tryAcquire1Thread(Limiter l) {
    return l.tryAcquire.getAsBoolean();
  }

  /**
   * Token bucket, two threads sharing it.
   *
   * @param l the limiter
   * @return the decision
   */
  @Benchmark
  @Threads(2)
  public boolean tryAcquire2Threads(Limiter l) {
    return l.tryAcquire.getAsBoolean();
  }

  /**
   * Floor: one clock read and one uncontended CAS, one thread.
   *
   * @param w a per-thread word
   * @return the CAS result
   */
  @Benchmark
  @Threads(1)
  public boolean floor1Thread(OwnWord w) {
    return clockAndCas(w.word);
  }

  /**
   * Floor: one clock read and one uncontended CAS, two threads (each its own word).
   *
   * @param w a per-thread word
   * @return the CAS result
   */
  @Benchmark
  @Threads(2)
  public boolean floor2Threads(OwnWord w) {
    return clockAndCas(w.word);
  }

  /**
   * One clock read and one CAS on a word both threads share: what any exact shared limiter pays.
   *
   * @param w the shared word
   * @return the CAS result
   */
  @Benchmark
  @Threads(2)
  public boolean floorShared2Threads(SharedWord w) {
    return clockAndCas(w.word);
  }
}
