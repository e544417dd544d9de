package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Smooth limiter with warm-up: after being idle it hands out permits slowly (at a third of the
 * rate) and speeds up linearly to the full rate as the stored "cold" permits are used up, over the
 * configured warm-up period. Idle time refills the cold store; this is the model of Guava's
 * warming-up limiter, reimplemented here.
 *
 * <p>The state is two numbers (next free time and stored permits, a fraction), so it is an
 * immutable {@link State} swapped by compare-and-set: one small allocation per granted call. Use
 * {@link SmoothRateLimiter} (no warm-up) where allocation matters.
 *
 * <p>Model: with stable interval {@code I}, cold interval {@code 3I} and warm-up {@code W}, permits
 * stored above {@code threshold = W / (2I)} cost an interval rising linearly from {@code I} (at the
 * threshold) to {@code 3I} (at {@code max = threshold + W / (2I)}); taking them all costs {@code
 * W}. Permits below the threshold and fresh permits cost {@code I}. Idle time adds one stored
 * permit per {@code W / max} nanoseconds.
 *
 * <p>Thread-safe and lock-free.
 */
public final class WarmingUpRateLimiter extends AbstractRateLimiter {

  /** Parameters derived from a configuration. */
  static final class Params {
    final double interval;
    final double threshold;
    final double maxStored;
    final double slope;
    final double coolDown;
    final long limit;

    Params(RateLimiterConfig config) {
      this.interval = config.nanosPerPermit();
      double warmup = config.warmup().toNanos();
      double cold = 3 * interval;
      this.threshold = 0.5 * warmup / interval;
      this.maxStored = threshold + 2 * warmup / (interval + cold);
      this.slope = (cold - interval) / (maxStored - threshold);
      this.coolDown = warmup / maxStored;
      this.limit = config.limit();
    }

    /** Time to take {@code k} permits off the top of a store holding {@code stored}. */
    double storedCost(double stored, double k) {
      double above = Math.max(0, stored - threshold);
      double fromAbove = Math.min(above, k);
      double cost = 0;
      if (fromAbove > 0) {
        double hi = interval + slope * (stored - threshold);
        double lo = interval + slope * (stored - fromAbove - threshold);
        cost = fromAbove * (hi + lo) / 2;
      }
      return cost + (k - fromAbove) * interval;
    }
  }

  /** Immutable state. */
  static final class State {
    final Params params;
    final long nextFree;
    final double stored;

    State(Params params, long nextFree, double stored) {
      this.params = params;
      this.nextFree = nextFree;
      this.stored = stored;
    }

    /** Stored permits at {@code t}, counting idle time since {@code nextFree}. */
    double storedAt(long t) {
      return t > nextFree
          ? Math.min(params.maxStored, stored + (t - nextFree) / params.coolDown)
          : stored;
    }
  }

  private static final VarHandle STATE;

  static {
    try {
      STATE =
          MethodHandles.lookup().findVarHandle(WarmingUpRateLimiter.class, "state", State.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through STATE
  private volatile State state;

  /**
   * Creates the limiter cold (store full), as after a long idle period.
   *
   * @param config a SMOOTH configuration with a positive warm-up
   */
  public WarmingUpRateLimiter(RateLimiterConfig config) {
    super(config);
    Params p = new Params(config);
    this.state = new State(p, 0, p.maxStored);
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    for (; ; ) {
      State s = state;
      long wait = s.nextFree - t;
      if (wait > maxWait) {
        return REJECTED;
      }
      Params p = s.params;
      double stored = s.storedAt(t);
      double fromStore = Math.min(stored, permits);
      double cost = p.storedCost(stored, fromStore) + (permits - fromStore) * p.interval;
      long start = Math.max(s.nextFree, t);
      long next = start + (long) Math.ceil(cost);
      if (STATE.compareAndSet(this, s, new State(p, next, stored - fromStore))) {
        return wait > 0 ? wait : 0;
      }
    }
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    return Math.max(0, state.nextFree - t);
  }

  @Override
  protected long availablePermitsAt(long t) {
    State s = state;
    return s.nextFree <= t ? s.params.limit : 0;
  }

  @Override
  protected void reconfigureAt(RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t) {
    Params p = new Params(newConfig);
    for (; ; ) {
      State s = state;
      State n = new State(p, s.nextFree, Math.min(p.maxStored, s.storedAt(t)));
      if (s.nextFree < t) {
        n = new State(p, t, Math.min(p.maxStored, s.storedAt(t)));
      }
      if (STATE.compareAndSet(this, s, n)) {
        return;
      }
    }
  }

  /**
   * Returns the permits currently stored (for tests and diagnostics).
   *
   * @param t relative time
   * @return stored permits
   */
  double storedPermitsAt(long t) {
    return state.storedAt(t);
  }
}
