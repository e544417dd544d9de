package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;

/**
 * Single-bandwidth token bucket and GCRA: both are one "theoretical arrival time" word.
 *
 * <p>The state {@code tat} is the time at which the bucket will be full again (all permits handed
 * out so far paid back at {@code interval} nanoseconds each). A bucket of {@code burst} permits is
 * {@code tau = burst * interval} nanoseconds deep, so at time {@code t} it holds {@code (tau -
 * max(0, tat - t)) / interval} permits, and taking {@code n} moves {@code tat} to {@code max(tat,
 * t) + n * interval}, allowed while that stays within {@code t + tau}. This is exactly GCRA with
 * emission interval {@code interval} and tolerance {@code tau - interval}, and exactly a token
 * bucket refilled lazily: one clock read, one volatile read, one compare-and-set, no allocation.
 * Reservations simply push {@code tat} further out (a negative balance).
 *
 * <p>Thread-safe and lock-free; reconfiguration swaps the whole {@link Core} (parameters and state
 * word together) so an acquirer never mixes old parameters with a new state.
 */
public final class TatRateLimiter extends AbstractRateLimiter {

  /** Parameters and state word; replaced as a whole on reconfiguration. */
  static final class Core {
    final long interval;
    final long tau;

    @SuppressWarnings("unused") // accessed through TAT
    volatile long tat;

    Core(long interval, long tau, long tat) {
      this.interval = interval;
      this.tau = tau;
      this.tat = tat;
    }
  }

  private static final VarHandle TAT;

  static {
    try {
      TAT = MethodHandles.lookup().findVarHandle(Core.class, "tat", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Core core;

  /**
   * Creates a full limiter.
   *
   * @param config a TOKEN_BUCKET (one bandwidth) or GCRA configuration
   */
  public TatRateLimiter(RateLimiterConfig config) {
    super(config);
    long interval = config.nanosPerPermit();
    this.core = new Core(interval, config.burst() * interval, 0);
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    Core c = core;
    long tat = c.tat;
    for (; ; ) {
      if (tat == CLOSED) {
        c = successorOf(c);
        tat = c.tat;
        continue;
      }
      long newTat = (tat > t ? tat : t) + permits * c.interval;
      long wait = newTat - t - c.tau;
      if (wait > maxWait) {
        return REJECTED;
      }
      // On failure the witness is the current value and the cache line is already ours:
      // retry from it instead of loading again (matters under contention only).
      long witness = (long) TAT.compareAndExchange(c, tat, newTat);
      if (witness == tat) {
        return wait > 0 ? wait : 0;
      }
      tat = witness;
    }
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    Core c = core;
    long tat;
    while ((tat = c.tat) == CLOSED) {
      c = successorOf(c);
    }
    long wait = (tat > t ? tat : t) + permits * c.interval - t - c.tau;
    return Math.max(0, wait);
  }

  @Override
  protected long availablePermitsAt(long t) {
    Core c = core;
    long tat;
    while ((tat = c.tat) == CLOSED) {
      c = successorOf(c);
    }
    long debt = tat > t ? tat - t : 0;
    return Math.max(0, (c.tau - debt) / c.interval);
  }

  @Override
  protected void reconfigureAt(RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t) {
    Core old = core;
    long tat;
    do {
      tat = old.tat;
    } while (!TAT.compareAndSet(old, tat, CLOSED));
    long interval = newConfig.nanosPerPermit();
    long tau = newConfig.burst() * interval;
    core = new Core(interval, tau, t + carriedDebt(tat - t, old.interval, old.tau, interval, tau));
  }

  /**
   * Converts the debt (time until full) under the old parameters into the new ones so that the
   * permits available now are kept, capped at the new burst: {@code available = (tau - debt) /
   * interval} is invariant. Exact integer arithmetic (rare call, so BigInteger is fine).
   */
  static long carriedDebt(long debt, long oldInterval, long oldTau, long interval, long tau) {
    long d = Math.max(0, debt);
    // newDebt = tau - (oldTau - d) * interval / oldInterval, floored at 0 (a full bucket).
    BigInteger available =
        BigInteger.valueOf(oldTau - d)
            .multiply(BigInteger.valueOf(interval))
            .divide(BigInteger.valueOf(oldInterval));
    BigInteger newDebt = BigInteger.valueOf(tau).subtract(available);
    if (newDebt.signum() <= 0) {
      return 0;
    }
    return newDebt.min(BigInteger.valueOf(MAX_WAIT_NANOS + tau)).longValueExact();
  }

  private Core successorOf(Core closed) {
    Core c;
    for (int i = 0; (c = core) == closed; i++) {
      waitBriefly(i);
    }
    return c;
  }
}
