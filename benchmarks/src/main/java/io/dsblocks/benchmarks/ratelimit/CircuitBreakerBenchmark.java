package io.dsblocks.benchmarks.ratelimit;

import io.dsblocks.ratelimit.CachedTicker;
import io.dsblocks.ratelimit.Ticker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Closed-state circuit breaker cost, dsblocks vs Resilience4j 2.4.0, configured identically:
 * count-based window of 100 calls, minimum 100 calls, failure-rate threshold 50%, slow-call rate
 * threshold 100% at 60 s (both libraries' defaults for the slow-call part).
 *
 * <ul>
 *   <li>{@code acquireAndRecordSuccess}: the low-level permission API a framework uses: ask for
 *       permission, then report a success with a precomputed duration (no clock reads).
 *   <li>{@code decoratedSupplier}: a supplier decorated by the breaker ({@code
 *       CircuitBreaker.decorateSupplier} on both sides), which reads the clock twice to time the
 *       call unless dsblocks runs with {@code timing = untimed} (below).
 * </ul>
 *
 * <p>Each at 1 and 2 threads sharing one breaker, plus {@code floorTwoClockReads_1t}: the cost of
 * the two clock reads alone, which bounds how fast any timing decorator can be. Run: {@code java
 * -jar benchmarks/target/benchmarks.jar CircuitBreakerBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof
 * gc}.
 *
 * <p>{@code timing} chooses how dsblocks is configured: {@code timed} keeps slow-call detection on
 * (the identical configuration above, two clock reads per decorated call), {@code untimed} turns it
 * off ({@code slowCallDetection(false)}), so the decorated call reads no clock at all. Resilience4j
 * has no such switch: its decorators always time the call, so for {@code resilience4j} both values
 * run the very same configuration (it measures its default, slow-call detection on, twice). The
 * {@code untimed} comparison is therefore dsblocks doing less work (no slow-call rule) against
 * Resilience4j doing all of it, which is exactly the choice a user who only cares about failures
 * gets with dsblocks and cannot get with Resilience4j.
 *
 * <p>{@code cached} keeps slow-call detection on for both and gives both the same cheaper clock: a
 * {@link CachedTicker} refreshed every millisecond (dsblocks through {@code CircuitBreaker.of(name,
 * config, ticker)}, Resilience4j through {@code currentTimestampFunction}), so neither pays the two
 * {@code System.nanoTime()} calls; identical configuration again, only the clock source changed on
 * both sides.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CircuitBreakerBenchmark {
  private static final long DURATION_NANOS = 1_000;

  @Param({"dsblocks", "resilience4j"})
  String impl;

  @Param({"timed", "untimed", "cached"})
  String timing;

  private CachedTicker cachedTicker;

  private boolean ours;
  private CircuitBreaker dsblocks;
  private io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4j;
  private Supplier<String> decorated;
  private Supplier<String> target;
  private final String payload = "payload";

  @Setup
  public void setUp() {
    ours = "dsblocks".equals(impl);
    cachedTicker =
        "cached".equals(timing) ? CachedTicker.start(java.time.Duration.ofMillis(1)) : null;
    Ticker ticker = cachedTicker != null ? cachedTicker : Ticker.system();
    dsblocks =
        CircuitBreaker.of(
            "bench",
            CircuitBreakerConfig.builder()
                .countBasedWindow(100)
                .minimumNumberOfCalls(100)
                .failureRateThreshold(50)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(java.time.Duration.ofSeconds(60))
                .slowCallDetection(!"untimed".equals(timing))
                .build(),
            ticker);
    // Resilience4j always times decorated calls: same config for timed and untimed.
    io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.Builder r4j =
        io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom();
    if (cachedTicker != null) {
      CachedTicker cached = cachedTicker;
      r4j.currentTimestampFunction(clock -> cached.read(), TimeUnit.NANOSECONDS);
    }
    resilience4j =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
            "bench",
            r4j.slidingWindowType(
                    io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType
                        .COUNT_BASED)
                .slidingWindowSize(100)
                .minimumNumberOfCalls(100)
                .failureRateThreshold(50)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(java.time.Duration.ofSeconds(60))
                .build());
    target = () -> payload;
    decorated =
        ours
            ? dsblocks.decorateSupplier(target)
            : io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                resilience4j, target);
  }

  /** Stops the cached ticker's thread. */
  @TearDown
  public void tearDown() {
    if (cachedTicker != null) {
      cachedTicker.close();
    }
  }

  private boolean acquireAndRecord() {
    if (ours) {
      boolean ok = dsblocks.tryAcquirePermission();
      dsblocks.onSuccess(DURATION_NANOS);
      return ok;
    }
    boolean ok = resilience4j.tryAcquirePermission();
    resilience4j.onSuccess(DURATION_NANOS, TimeUnit.NANOSECONDS);
    return ok;
  }

  /**
   * Permission plus success report, one thread.
   *
   * @return the permission, consumed by JMH
   */
  @Benchmark
  @Threads(1)
  public boolean acquireAndRecordSuccess_1t() {
    return acquireAndRecord();
  }

  /**
   * Permission plus success report, two threads on one breaker.
   *
   * @return the permission, consumed by JMH
   */
  @Benchmark
  @Threads(2)
  public boolean acquireAndRecordSuccess_2t() {
    return acquireAndRecord();
  }

  /**
   * A decorated supplier call, one thread.
   *
   * @return the supplier's value
   */
  @Benchmark
  @Threads(1)
  public String decoratedSupplier_1t() {
    return decorated.get();
  }

  /**
   * Baseline, independent of {@code impl}: the undecorated supplier timed by two {@code
   * System.nanoTime()} reads, the floor of any decorator that measures call durations.
   *
   * @param bh sink for the duration
   * @return the supplier's value
   */
  @Benchmark
  @Threads(1)
  public String floorTwoClockReads_1t(Blackhole bh) {
    long start = System.nanoTime();
    String v = target.get();
    bh.consume(System.nanoTime() - start);
    return v;
  }

  /**
   * A decorated supplier call, two threads on one breaker.
   *
   * @return the supplier's value
   */
  @Benchmark
  @Threads(2)
  public String decoratedSupplier_2t() {
    return decorated.get();
  }
}
