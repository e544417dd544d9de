package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.Ticker;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.BooleanGen;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the striped sliding-window log (Lincheck model checking, then stress): splits,
 * stripe admissions, collapses (by a short stripe, a waiting call, a query or a reconfiguration),
 * interleaved, must match a sequential order.
 *
 * <p>As in {@link LincheckStripedWindowsTest}, time and the stripe ({@code probe}) are arguments
 * and the limiter is non-adaptive (only {@code split} splits). A limit of 8 over 2 stripes gives
 * each stripe a quota of 4, so permits up to 3 drain stripes and force collapses; reservations
 * reach past the window. Two admissions precede the split, so the stripes start with dealt entries.
 */
class LincheckStripedLogTest {
  private static final long W = 1_000;

  private static final Ticker ZERO = () -> 0;

  /** The log, split after two admissions. */
  @Param(name = "permits", gen = LongGen.class, conf = "1:3")
  @Param(name = "time", gen = LongGen.class, conf = "0:9")
  @Param(name = "probe", gen = IntGen.class, conf = "0:1")
  public static class LogModel {
    private final RateLimiterConfig large =
        RateLimiterConfig.builder()
            .algorithm(RateLimiterConfig.Algorithm.SLIDING_WINDOW_LOG)
            .limit(8, Duration.ofNanos(W))
            .ticker(ZERO)
            .build();
    private final RateLimiterConfig small = large.toBuilder().limit(6, Duration.ofNanos(W)).build();
    private final SlidingWindowLogRateLimiter limiter =
        new SlidingWindowLogRateLimiter(large, 2, 1, false);

    /** Two admissions, then the split, so most scenarios race stripe admissions. */
    public LogModel() {
      limiter.reserveAt(2, 0, 0, 0);
      limiter.expandAt(0);
    }

    @Operation
    public long reserve(
        @Param(name = "permits") long permits,
        @Param(name = "time") long time,
        @Param(gen = BooleanGen.class) boolean mayWait,
        @Param(name = "probe") int probe) {
      return limiter.reserveAt(permits, time * 100, mayWait ? 2 * W : 0, probe);
    }

    /**
     * Splits if the limiter may split. Returns nothing: whether it is striped is not part of its
     * abstract state. A call that collapses the stripes and then retries changes that mode before
     * its own linearization point, so a mode-revealing result (a split that succeeds right after
     * another) can have no sequential witness although every admission decision has one.
     */
    @Operation
    public void split(@Param(name = "time") long time) {
      limiter.expandAt(time * 100);
    }

    @Operation
    public long availablePermits(@Param(name = "time") long time) {
      return limiter.availablePermitsAt(time * 100);
    }

    @Operation
    public long nanosUntilAvailable(@Param(name = "time") long time) {
      return limiter.nanosUntilAvailableAt(2, time * 100);
    }

    @Operation(nonParallelGroup = "reconfigure")
    public void reconfigure(@Param(gen = BooleanGen.class) boolean toSmall) {
      limiter.reconfigure(toSmall ? small : large);
    }
  }

  @Test
  void stripedSlidingWindowLogIsLinearizable() {
    new ModelCheckingOptions()
        .iterations(10)
        .invocationsPerIteration(150)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(3)
        .actorsAfter(1)
        .check(LogModel.class);
    new StressOptions()
        .iterations(4)
        .invocationsPerIteration(200)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .check(LogModel.class);
  }
}
