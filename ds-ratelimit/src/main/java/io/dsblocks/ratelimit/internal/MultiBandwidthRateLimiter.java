package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * Token bucket with several bandwidths ("100/s and 5000/h"): one theoretical arrival time per
 * bandwidth (see {@link TatRateLimiter}); a permit is granted only when every bandwidth has it, and
 * then it is taken from all of them.
 *
 * <p>Several words cannot be updated by one compare-and-set, so the state is an immutable {@link
 * State} swapped by CAS. Cost: one small allocation (a {@code State} and its {@code long[]}, about
 * {@code 32 + 8 * bandwidths} bytes) per granted call; rejected calls allocate nothing. The
 * single-bandwidth token bucket keeps its zero-allocation single word.
 *
 * <p>Thread-safe and lock-free.
 */
public final class MultiBandwidthRateLimiter extends AbstractRateLimiter {

  /** Parameters and state, immutable. */
  static final class State {
    final long[] intervals;
    final long[] taus;
    final long[] tats;

    State(long[] intervals, long[] taus, long[] tats) {
      this.intervals = intervals;
      this.taus = taus;
      this.tats = tats;
    }
  }

  private static final VarHandle STATE;

  static {
    try {
      STATE =
          MethodHandles.lookup()
              .findVarHandle(MultiBandwidthRateLimiter.class, "state", State.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through STATE
  private volatile State state;

  /**
   * Creates a limiter with every bucket full.
   *
   * @param config a TOKEN_BUCKET configuration
   */
  public MultiBandwidthRateLimiter(RateLimiterConfig config) {
    super(config);
    this.state = initial(config, new long[config.bandwidths().size()]);
  }

  private static State initial(RateLimiterConfig config, long[] tats) {
    List<RateLimiterConfig.Bandwidth> bws = config.bandwidths();
    long[] intervals = new long[bws.size()];
    long[] taus = new long[bws.size()];
    for (int i = 0; i < intervals.length; i++) {
      intervals[i] = bws.get(i).nanosPerPermit();
      taus[i] = bws.get(i).capacity() * intervals[i];
    }
    return new State(intervals, taus, tats);
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    for (; ; ) {
      State s = state;
      long wait = waitFor(s, permits, t);
      if (wait > maxWait) {
        return REJECTED;
      }
      long[] tats = new long[s.tats.length];
      for (int i = 0; i < tats.length; i++) {
        long tat = s.tats[i];
        tats[i] = (tat > t ? tat : t) + permits * s.intervals[i];
      }
      if (STATE.compareAndSet(this, s, new State(s.intervals, s.taus, tats))) {
        return wait > 0 ? wait : 0;
      }
    }
  }

  private static long waitFor(State s, long permits, long t) {
    long wait = Long.MIN_VALUE;
    for (int i = 0; i < s.tats.length; i++) {
      long tat = s.tats[i];
      long w = (tat > t ? tat : t) + permits * s.intervals[i] - t - s.taus[i];
      wait = Math.max(wait, w);
    }
    return wait;
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    return Math.max(0, waitFor(state, permits, t));
  }

  @Override
  protected long availablePermitsAt(long t) {
    State s = state;
    long min = Long.MAX_VALUE;
    for (int i = 0; i < s.tats.length; i++) {
      long debt = Math.max(0, s.tats[i] - t);
      min = Math.min(min, Math.max(0, (s.taus[i] - debt) / s.intervals[i]));
    }
    return min;
  }

  @Override
  protected void reconfigureAt(RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t) {
    for (; ; ) {
      State s = state;
      State fresh = initial(newConfig, new long[newConfig.bandwidths().size()]);
      for (int i = 0; i < fresh.tats.length; i++) {
        fresh.tats[i] =
            i < s.tats.length
                ? t
                    + TatRateLimiter.carriedDebt(
                        s.tats[i] - t, s.intervals[i], s.taus[i], fresh.intervals[i], fresh.taus[i])
                : 0; // a new bandwidth starts full
      }
      if (STATE.compareAndSet(this, s, fresh)) {
        return;
      }
    }
  }
}
