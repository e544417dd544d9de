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
 * Linearizability of the striped token bucket (Lincheck model checking, then stress): splitting
 * into stripes, stripe takes, collapses (by a short stripe, a waiting call or a reconfiguration)
 * and snapshot queries, interleaved, must match a sequential order of the same operations.
 *
 * <p>As in {@link LincheckRateLimiterTest}, time is an argument. The stripe a call takes from is an
 * argument too ({@code probe}, the thread id in production), and the limiter is built non-adaptive:
 * splitting happens only through the {@code split} operation and colliding threads do not re-hash,
 * because a lost compare-and-set (the production trigger) cannot happen in the sequential replay.
 * With a burst of 8 and 2 stripes every stripe holds 4 permits; permits up to 3 and times 0..60 ns
 * (one permit per 10 ns) drain stripes, collapse them, and refill.
 */
class LincheckStripedTokenBucketTest {

  /** The operations under test. */
  @Param(name = "permits", gen = LongGen.class, conf = "1:3")
  @Param(name = "time", gen = LongGen.class, conf = "0:6")
  @Param(name = "probe", gen = IntGen.class, conf = "0:1")
  public static class Model {
    /**
     * The limiter's own clock: 0 while it is created (its origin), then 60 ns, the latest time any
     * operation uses, as in production where every reading a call carries was taken before "now". A
     * collapse pools the stripes at "now" (see {@code TatRateLimiter#collapse}).
     */
    private volatile long clock;

    private final Ticker ticker = () -> clock;

    private final RateLimiterConfig large =
        RateLimiterConfig.builder()
            .limit(8, Duration.ofNanos(80)) // one permit per 10 ns
            .ticker(ticker)
            .build();
    private final RateLimiterConfig small =
        large.toBuilder().limit(4, Duration.ofNanos(40)).build();
    private final TatRateLimiter limiter = new TatRateLimiter(large, 2, 1, false);

    /**
     * Starts split (so most scenarios race stripe takes); {@code split} re-splits after collapses.
     */
    public Model() {
      limiter.expandAt(0);
      clock = 60;
    }

    /**
     * Takes permits at {@code time * 10} ns from stripe {@code probe}, waiting up to 0 or 25 ns.
     */
    @Operation
    public long reserve(
        @Param(name = "permits") long permits,
        @Param(name = "time") long time,
        @Param(gen = BooleanGen.class) boolean mayWait,
        @Param(name = "probe") int probe) {
      return limiter.reserveAt(permits, time * 10, mayWait ? 25 : 0, probe);
    }

    /**
     * Splits if the limiter may split. Returns nothing: whether it is striped is not part of its
     * abstract state. A call that collapses the stripes and then retries changes that mode before
     * its own linearization point, so a mode-revealing result (a split that succeeds right after
     * another) can have no sequential witness although every admission decision has one.
     */
    @Operation
    public void split(@Param(name = "time") long time) {
      limiter.expandAt(time * 10);
    }

    @Operation
    public long availablePermits(@Param(name = "time") long time) {
      return limiter.availablePermitsAt(time * 10);
    }

    @Operation
    public long nanosUntilAvailable(@Param(name = "time") long time) {
      return limiter.nanosUntilAvailableAt(2, time * 10);
    }

    @Operation(nonParallelGroup = "reconfigure")
    public void reconfigure(@Param(gen = BooleanGen.class) boolean toSmall) {
      limiter.reconfigure(toSmall ? small : large);
    }
  }

  @Test
  void stripedTokenBucketIsLinearizable() {
    new ModelCheckingOptions()
        .iterations(12)
        .invocationsPerIteration(150)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(3)
        .actorsAfter(1)
        .check(Model.class);
    new StressOptions()
        .iterations(4)
        .invocationsPerIteration(200)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .check(Model.class);
  }
}
