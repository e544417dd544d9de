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
 * Linearizability of the striped fixed window and sliding-window counter (Lincheck model checking,
 * then stress): splits, stripe takes, collapses (by a short stripe, a reservation or a
 * reconfiguration) and snapshot queries, interleaved, must match a sequential order.
 *
 * <p>As in {@link LincheckStripedTokenBucketTest}, time and the stripe ({@code probe}) are
 * arguments, and the limiters are non-adaptive (only {@code split} splits). A limit of 8 over 2
 * stripes gives each stripe a quota of 4, so permits up to 3 drain stripes and force collapses.
 * Times stay inside one window (see {@link LincheckRateLimiterTest} for why window crossings are
 * covered by properties instead); the sliding counter's window has a previous count of 3 (taken in
 * the window before), so stripes start with it and the weighted check matters.
 */
class LincheckStripedWindowsTest {
  private static final long W = 1_000;

  private static final Ticker ZERO = () -> 0;

  /** The fixed window: reservations reach the next window, which collapses the stripes. */
  @Param(name = "permits", gen = LongGen.class, conf = "1:3")
  @Param(name = "time", gen = LongGen.class, conf = "0:9")
  @Param(name = "probe", gen = IntGen.class, conf = "0:1")
  public static class FixedModel {
    private final RateLimiterConfig large =
        RateLimiterConfig.builder()
            .algorithm(RateLimiterConfig.Algorithm.FIXED_WINDOW)
            .limit(8, Duration.ofNanos(W))
            .ticker(ZERO)
            .build();
    private final RateLimiterConfig small = large.toBuilder().limit(6, Duration.ofNanos(W)).build();
    private final FixedWindowRateLimiter limiter = new FixedWindowRateLimiter(large, 2, 1, false);

    /** Starts split, so most scenarios race stripe takes. */
    public FixedModel() {
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

  /** The sliding-window counter, in window 1 with 3 permits counted in window 0. */
  @Param(name = "permits", gen = LongGen.class, conf = "1:3")
  @Param(name = "time", gen = LongGen.class, conf = "0:9")
  @Param(name = "probe", gen = IntGen.class, conf = "0:1")
  public static class SlidingModel {
    private final RateLimiterConfig large =
        RateLimiterConfig.builder()
            .algorithm(RateLimiterConfig.Algorithm.SLIDING_WINDOW_COUNTER)
            .limit(8, Duration.ofNanos(W))
            .ticker(ZERO)
            .build();
    private final RateLimiterConfig small = large.toBuilder().limit(6, Duration.ofNanos(W)).build();
    private final SlidingWindowCounterRateLimiter limiter =
        new SlidingWindowCounterRateLimiter(large, 2, 1, false);

    /** Three permits in window 0, then window 1 begins and the limiter splits. */
    public SlidingModel() {
      limiter.reserveAt(3, 500, 0, 0);
      limiter.expandAt(W);
    }

    @Operation
    public long reserve(
        @Param(name = "permits") long permits,
        @Param(name = "time") long time,
        @Param(name = "probe") int probe) {
      return limiter.reserveAt(permits, W + time * 100, 0, probe);
    }

    /**
     * Splits if the limiter may split. Returns nothing: whether it is striped is not part of its
     * abstract state. A call that collapses the stripes and then retries changes that mode before
     * its own linearization point, so a mode-revealing result (a split that succeeds right after
     * another) can have no sequential witness although every admission decision has one.
     */
    @Operation
    public void split(@Param(name = "time") long time) {
      limiter.expandAt(W + time * 100);
    }

    @Operation
    public long availablePermits(@Param(name = "time") long time) {
      return limiter.availablePermitsAt(W + time * 100);
    }

    @Operation
    public long nanosUntilAvailable(@Param(name = "time") long time) {
      return limiter.nanosUntilAvailableAt(2, W + time * 100);
    }

    @Operation(nonParallelGroup = "reconfigure")
    public void reconfigure(@Param(gen = BooleanGen.class) boolean toSmall) {
      limiter.reconfigure(toSmall ? small : large);
    }
  }

  private static void check(Class<?> model) {
    new ModelCheckingOptions()
        .iterations(10)
        .invocationsPerIteration(150)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(3)
        .actorsAfter(1)
        .check(model);
    new StressOptions()
        .iterations(4)
        .invocationsPerIteration(200)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .check(model);
  }

  @Test
  void stripedFixedWindowIsLinearizable() {
    check(FixedModel.class);
  }

  @Test
  void stripedSlidingWindowCounterIsLinearizable() {
    check(SlidingModel.class);
  }
}
