package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.RateLimiterConfig.Algorithm;
import io.dsblocks.ratelimit.RateLimiters;
import io.dsblocks.ratelimit.Ticker;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.BooleanGen;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the lock-free limiters, checked by Lincheck (model checking, then stress):
 * concurrent histories of acquire/reserve, queries and reconfiguration must match a sequential
 * order of the same operations on a fresh limiter.
 *
 * <p>Time is an argument of each operation (the algorithm hooks take it), not a shared clock: a
 * limiter necessarily reads its clock before its atomic step, so with a moving shared clock a
 * history can contain a decision taken with a reading that is already stale, which no sequential
 * order reproduces (Lincheck finds that at once). A stale reading only makes a decision more
 * conservative; what must be atomic is the state transition for a given time, including times that
 * arrive out of order from racing threads, and that is what is checked here.
 */
class LincheckRateLimiterTest {

  /** The operations under test; one subclass per algorithm. */
  @Param(name = "permits", gen = LongGen.class, conf = "1:2") // within both configurations
  @Param(name = "time", gen = LongGen.class, conf = "0:6")
  public abstract static class Model {

    private static final Ticker FIXED = () -> 0;

    private final AbstractRateLimiter limiter;
    private final long timeSteps;
    private final RateLimiterConfig small;
    private final RateLimiterConfig large;

    Model(Algorithm algorithm) {
      // The window algorithms keep the latest window any caller has seen begin ("hint") and
      // raise it before their CAS, so a stale reading never rolls windows back. Raising it is a
      // step of its own, so with times arriving out of order across windows the history is not
      // linearizable by construction (a conservative effect only); their model stays within one
      // window (times 0..30 ns of a 40 ns window, reservations reaching the next) and window
      // crossings are covered by ClockSkewTest and the property tests.
      this.timeSteps =
          algorithm == Algorithm.FIXED_WINDOW || algorithm == Algorithm.SLIDING_WINDOW_COUNTER
              ? 4
              : 7;
      this.large =
          RateLimiterConfig.builder()
              .algorithm(algorithm)
              .limit(4, Duration.ofNanos(40)) // one permit per 10 ns, 4 per 40 ns window
              .ticker(FIXED)
              .build();
      this.small = large.toBuilder().limit(2, Duration.ofNanos(40)).build();
      this.limiter = (AbstractRateLimiter) RateLimiters.create(large);
    }

    /** Takes permits at {@code (time % timeSteps) * 10} ns, waiting up to 0 or 25 ns. */
    @Operation
    public long reserve(
        @Param(name = "permits") long permits,
        @Param(name = "time") long time,
        @Param(gen = BooleanGen.class) boolean mayWait) {
      return limiter.reserveAt(permits, (time % timeSteps) * 10, mayWait ? 25 : 0);
    }

    @Operation
    public long availablePermits(@Param(name = "time") long time) {
      return limiter.availablePermitsAt((time % timeSteps) * 10);
    }

    @Operation
    public long nanosUntilAvailable(@Param(name = "time") long time) {
      return limiter.nanosUntilAvailableAt(1, (time % timeSteps) * 10);
    }

    @Operation(nonParallelGroup = "reconfigure")
    public void reconfigure(@Param(gen = BooleanGen.class) boolean toSmall) {
      limiter.reconfigure(toSmall ? small : large);
    }
  }

  /** Token bucket (single bandwidth). */
  public static class TokenBucket extends Model {
    /** Creates the instance Lincheck runs. */
    public TokenBucket() {
      super(Algorithm.TOKEN_BUCKET);
    }
  }

  /** GCRA. */
  public static class Gcra extends Model {
    /** Creates the instance Lincheck runs. */
    public Gcra() {
      super(Algorithm.GCRA);
    }
  }

  /** Smooth. */
  public static class Smooth extends Model {
    /** Creates the instance Lincheck runs. */
    public Smooth() {
      super(Algorithm.SMOOTH);
    }
  }

  /** Fixed window. */
  public static class FixedWindow extends Model {
    /** Creates the instance Lincheck runs. */
    public FixedWindow() {
      super(Algorithm.FIXED_WINDOW);
    }
  }

  /** Sliding-window log. */
  public static class SlidingLog extends Model {
    /** Creates the instance Lincheck runs. */
    public SlidingLog() {
      super(Algorithm.SLIDING_WINDOW_LOG);
    }
  }

  /** Sliding-window counter. */
  public static class SlidingCounter extends Model {
    /** Creates the instance Lincheck runs. */
    public SlidingCounter() {
      super(Algorithm.SLIDING_WINDOW_COUNTER);
    }
  }

  private static void check(Class<? extends Model> model) {
    new ModelCheckingOptions()
        .iterations(12)
        .invocationsPerIteration(150)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(1)
        .check(model);
    new StressOptions()
        .iterations(4)
        .invocationsPerIteration(200)
        .threads(3)
        .actorsPerThread(3)
        .check(model);
  }

  @Test
  void tokenBucketIsLinearizable() {
    check(TokenBucket.class);
  }

  @Test
  void gcraIsLinearizable() {
    check(Gcra.class);
  }

  @Test
  void smoothIsLinearizable() {
    check(Smooth.class);
  }

  @Test
  void fixedWindowIsLinearizable() {
    check(FixedWindow.class);
  }

  @Test
  void slidingLogIsLinearizable() {
    check(SlidingLog.class);
  }

  @Test
  void slidingCounterIsLinearizable() {
    check(SlidingCounter.class);
  }
}
