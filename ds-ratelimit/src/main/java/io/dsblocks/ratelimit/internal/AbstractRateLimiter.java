package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.RateLimiterListener;
import io.dsblocks.ratelimit.RateLimiterStats;
import io.dsblocks.ratelimit.Ticker;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * What every local limiter shares: argument checks, shadow mode, listeners, statistics, the waiting
 * form of {@code tryAcquire} and the reconfiguration protocol. Subclasses implement the algorithm
 * on their state word(s) through four hooks that take a time relative to the limiter's creation (so
 * states never come near {@code Long.MIN_VALUE}, which subclasses use as a "closed" marker during
 * reconfiguration).
 *
 * <p>The hot path ({@link #tryAcquire(long)}) reads one volatile flag to decide whether anything
 * beyond the decision must happen; with no listener, no statistics and no shadow mode it is the
 * subclass's clock read and compare-and-set plus two field reads.
 *
 * <p>Thread-safe.
 */
public abstract class AbstractRateLimiter implements RateLimiter {

  /** Reservations further out than this are refused; keeps state arithmetic free of overflow. */
  static final long MAX_WAIT_NANOS = 1L << 61;

  /** Marker a subclass stores in a state word it has retired during reconfiguration. */
  static final long CLOSED = Long.MIN_VALUE;

  private static final RateLimiterListener[] NO_LISTENERS = {};

  private final String name;
  private final Ticker ticker;
  private final long origin;
  private final Object reconfigureLock = new Object();

  private volatile RateLimiterConfig config;
  private volatile long maxPermits;

  /** True when only the decision matters: no listeners, no stats, not shadow. One hot-path read. */
  private volatile boolean plain;

  private volatile boolean shadow;
  private volatile Counters counters;
  private volatile RateLimiterListener[] listeners = NO_LISTENERS;

  /**
   * Creates the shared part.
   *
   * @param config the validated configuration
   */
  protected AbstractRateLimiter(RateLimiterConfig config) {
    this.config = config;
    this.name = config.name();
    this.ticker = config.ticker();
    this.origin = ticker.read();
    this.maxPermits = config.maxPermitsPerCall();
    this.shadow = config.shadowMode();
    this.counters = config.recordStats() ? new Counters() : null;
    updatePlain();
  }

  // ---- algorithm hooks; `t` is ticker time minus the creation time, never negative ----

  /**
   * Takes {@code permits} at time {@code t} if they are available within {@code maxWait}.
   *
   * @param permits permits, validated
   * @param t relative time
   * @param maxWait longest acceptable wait, {@code >= 0}
   * @return {@code 0}, the wait, or {@link #REJECTED}; nothing is taken when rejected
   */
  protected abstract long reserveAt(long permits, long t, long maxWait);

  /**
   * Returns the wait until {@code permits} could be taken, without taking them.
   *
   * @param permits permits, validated
   * @param t relative time
   * @return nanoseconds, {@code >= 0}
   */
  protected abstract long nanosUntilAvailableAt(long permits, long t);

  /**
   * Returns the permits one call could take at {@code t}.
   *
   * @param t relative time
   * @return permits, {@code >= 0}
   */
  protected abstract long availablePermitsAt(long t);

  /**
   * Moves the state to {@code newConfig} following the documented rule. Called with the
   * reconfiguration lock held, so at most one reconfiguration runs at a time.
   *
   * @param oldConfig the configuration in force
   * @param newConfig the validated new configuration, same algorithm
   * @param t relative time
   */
  protected abstract void reconfigureAt(
      RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t);

  /**
   * Whether {@link #reserveAt} can hold permits for the future. Limiters that cannot (the
   * sliding-window counter) only admit immediately; their timed {@code tryAcquire} polls.
   *
   * @return whether future reservations are supported
   */
  protected boolean supportsReservation() {
    return true;
  }

  /**
   * Reads the clock now, as a relative time. For algorithms that must re-read it inside a state
   * transition (the argument {@code t} of a hook was read before it and may be stale).
   *
   * @return ticker time minus the creation time
   */
  protected final long now() {
    return ticker.read() - origin;
  }

  // ---- RateLimiter ----

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final boolean tryAcquire(long permits) {
    checkPermits(permits);
    long r = reserveAt(permits, ticker.read() - origin, 0);
    if (plain) {
      return r == 0;
    }
    return afterDecision(permits, r) != REJECTED;
  }

  @Override
  public final boolean tryAcquire(long permits, Duration timeout) throws InterruptedException {
    checkPermits(permits);
    long maxWait = checkTimeout(timeout);
    if (!supportsReservation()) {
      return pollUntil(permits, maxWait);
    }
    long r = reserveAt(permits, ticker.read() - origin, maxWait);
    if (!plain) {
      r = afterDecision(permits, r);
    }
    if (r == REJECTED) {
      return false;
    }
    if (r > 0) {
      parkFor(r);
    }
    return true;
  }

  @Override
  public final long reserve(long permits, long maxWaitNanos) {
    checkPermits(permits);
    if (maxWaitNanos < 0) {
      throw new IllegalArgumentException(
          "maxWaitNanos must be in [0, " + Long.MAX_VALUE + "] but was " + maxWaitNanos);
    }
    long maxWait = supportsReservation() ? Math.min(maxWaitNanos, MAX_WAIT_NANOS) : 0;
    long r = reserveAt(permits, ticker.read() - origin, maxWait);
    return plain ? r : afterDecision(permits, r);
  }

  @Override
  public final long nanosUntilAvailable(long permits) {
    checkPermits(permits);
    return nanosUntilAvailableAt(permits, ticker.read() - origin);
  }

  @Override
  public final long availablePermits() {
    return availablePermitsAt(ticker.read() - origin);
  }

  @Override
  public final RateLimiterConfig config() {
    return config;
  }

  @Override
  public final void reconfigure(RateLimiterConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig");
    RateLimiterConfig old;
    synchronized (reconfigureLock) {
      old = config;
      if (newConfig.algorithm() != old.algorithm()) {
        throw new IllegalArgumentException(
            "newConfig.algorithm must be "
                + old.algorithm()
                + " (the algorithm cannot change) but was "
                + newConfig.algorithm());
      }
      if (!newConfig.name().equals(name)) {
        throw new IllegalArgumentException(
            "newConfig.name must be '"
                + name
                + "' (the name cannot change) but was '"
                + newConfig.name()
                + "'");
      }
      if (newConfig.ticker() != ticker) {
        throw new IllegalArgumentException(
            "newConfig.ticker must be the limiter's ticker (it cannot change); build newConfig"
                + " with config().toBuilder()");
      }
      reconfigureAt(old, newConfig, ticker.read() - origin);
      config = newConfig;
      maxPermits = newConfig.maxPermitsPerCall();
      shadow = newConfig.shadowMode();
      if (newConfig.recordStats() && counters == null) {
        counters = new Counters();
      } else if (!newConfig.recordStats()) {
        counters = null;
      }
      updatePlain();
    }
    for (RateLimiterListener l : listeners) {
      l.onReconfigured(this, old, newConfig);
    }
  }

  @Override
  public final void addListener(RateLimiterListener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (reconfigureLock) {
      RateLimiterListener[] now = listeners;
      RateLimiterListener[] next = Arrays.copyOf(now, now.length + 1);
      next[now.length] = listener;
      listeners = next;
      updatePlain();
    }
  }

  @Override
  public final void removeListener(RateLimiterListener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (reconfigureLock) {
      RateLimiterListener[] now = listeners;
      for (int i = 0; i < now.length; i++) {
        if (now[i] == listener) {
          RateLimiterListener[] next = new RateLimiterListener[now.length - 1];
          System.arraycopy(now, 0, next, 0, i);
          System.arraycopy(now, i + 1, next, i, now.length - i - 1);
          listeners = next;
          break;
        }
      }
      updatePlain();
    }
  }

  @Override
  public final RateLimiterStats stats() {
    Counters c = counters;
    return c == null ? RateLimiterStats.DISABLED : c.snapshot();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + config + "}";
  }

  // ---- helpers ----

  /**
   * Waits for another thread to finish a few instructions (publishing a slot, or a reconfiguration
   * swapping the state). Spins briefly, then yields: on an oversubscribed machine the awaited
   * thread may be descheduled, and spinning would only burn the waiter's time slice.
   *
   * @param attempt how many times the caller has waited for the same thing
   */
  static void waitBriefly(int attempt) {
    if (attempt < 64) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }

  private void updatePlain() {
    plain = !shadow && counters == null && listeners.length == 0;
  }

  private void checkPermits(long permits) {
    long max = maxPermits;
    if (permits < 1 || permits > max) {
      throw new IllegalArgumentException(
          "permits must be in [1, " + max + "] (the limiter's burst) but was " + permits);
    }
  }

  private static long checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be zero or positive but was " + timeout);
    }
    try {
      return Math.min(timeout.toNanos(), MAX_WAIT_NANOS);
    } catch (ArithmeticException e) {
      return MAX_WAIT_NANOS;
    }
  }

  /** Records a decision; returns what the caller sees (always "permitted, now" in shadow mode). */
  private long afterDecision(long permits, long r) {
    boolean shadowNow = shadow;
    Counters c = counters;
    if (c != null) {
      c.record(permits, r, shadowNow);
    }
    RateLimiterListener[] ls = listeners;
    for (RateLimiterListener l : ls) {
      if (r == REJECTED) {
        l.onRejected(this, permits, !shadowNow);
      } else {
        l.onPermitted(this, permits, r);
      }
    }
    return shadowNow ? 0 : r;
  }

  /** Waits out a reservation by the limiter's own clock, so manual tickers work in tests. */
  private void parkFor(long waitNanos) throws InterruptedException {
    long deadline = ticker.read() + waitNanos;
    for (long left = waitNanos; left > 0; left = deadline - ticker.read()) {
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for rate limiter '" + name + "'");
      }
    }
  }

  /** Timed acquire for limiters that cannot reserve: sleep until the estimate, then retry. */
  private boolean pollUntil(long permits, long maxWait) throws InterruptedException {
    long start = ticker.read();
    for (; ; ) {
      long now = ticker.read();
      long r = reserveAt(permits, now - origin, 0);
      if (r == 0) {
        if (!plain) {
          afterDecision(permits, r);
        }
        return true;
      }
      long wait = Math.max(1, nanosUntilAvailableAt(permits, now - origin));
      if (now - start + wait > maxWait) {
        return !plain && afterDecision(permits, REJECTED) != REJECTED;
      }
      if (shadow) {
        return afterDecision(permits, REJECTED) != REJECTED;
      }
      parkFor(wait);
    }
  }

  /** Striped counters: recording never contends on one cache line. */
  private static final class Counters {
    final LongAdder permittedCalls = new LongAdder();
    final LongAdder permittedPermits = new LongAdder();
    final LongAdder rejectedCalls = new LongAdder();
    final LongAdder shadowRejectedCalls = new LongAdder();

    void record(long permits, long r, boolean shadow) {
      if (r == REJECTED) {
        (shadow ? shadowRejectedCalls : rejectedCalls).increment();
      } else {
        permittedCalls.increment();
        permittedPermits.add(permits);
      }
    }

    RateLimiterStats snapshot() {
      return new RateLimiterStats(
          true,
          permittedCalls.sum(),
          permittedPermits.sum(),
          rejectedCalls.sum(),
          shadowRejectedCalls.sum());
    }
  }
}
