package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;

/**
 * Fixed window: at most {@code limit} permits in each window {@code [origin + kW, origin + (k+1)W)}
 * where {@code origin} is the limiter's creation (or the last reconfiguration that changed the
 * window length).
 *
 * <p>State: one word, the window number in the high 32 bits and the count in the low 32 (the limit
 * is at most {@code 2^31 - 1}). A reservation may take permits in the next window (when the current
 * one is full); the state then names that window and the current one counts as closed. Window
 * numbers are compared modulo 2^32, so a limiter left idle for exactly a multiple of 2^32 windows
 * (136 years of 1-second windows) would treat old counts as current for one window — which can only
 * refuse, never over-admit.
 *
 * <p>A caller whose clock reading is older than a window another caller has already seen begin (it
 * read the clock, then lost the race for the state word) counts at the start of that window:
 * windows never roll back, so a stale reading cannot reopen a closed window.
 *
 * <p>Thread-safe, lock-free, no allocation per call.
 */
public final class FixedWindowRateLimiter extends AbstractRateLimiter {

  private static final long COUNT_MASK = 0xFFFF_FFFFL;

  private volatile WindowCore core;

  /**
   * Creates the limiter with an empty first window.
   *
   * @param config a FIXED_WINDOW configuration
   */
  public FixedWindowRateLimiter(RateLimiterConfig config) {
    super(config);
    this.core = new WindowCore(config.period().toNanos(), config.limit(), 0, 0);
  }

  private static long pack(long window, long count) {
    return (window << 32) | count;
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    WindowCore c = core;
    long s = c.state;
    for (; ; ) {
      if (s == CLOSED) {
        c = successorOf(c);
        s = c.state;
        continue;
      }
      long cur = c.windowOf(t - c.origin);
      long rel = Math.max(t - c.origin, cur * c.window); // a stale reading counts as cur's start
      int ahead = (int) (s >>> 32) - (int) cur; // 0 = current, 1 = next (reserved), else stale
      long count = s & COUNT_MASK;
      long target;
      long newCount;
      if (ahead == 0 || ahead == 1) {
        if (count + permits <= c.limit) {
          target = cur + ahead;
          newCount = count + permits;
        } else if (ahead == 0) {
          target = cur + 1;
          newCount = permits;
        } else {
          return REJECTED; // reservations reach one window ahead at most
        }
      } else {
        target = cur;
        newCount = permits;
      }
      long wait = target == cur ? 0 : target * c.window - rel;
      if (wait > maxWait) {
        return REJECTED;
      }
      // On failure the witness is the current value (and the cache line is ours): retry from it.
      long witness = c.compareAndExchangeState(s, pack(target, newCount));
      if (witness == s) {
        return wait;
      }
      s = witness;
    }
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    WindowCore c = core;
    long s;
    while ((s = c.state) == CLOSED) {
      c = successorOf(c);
    }
    long cur = c.windowOf(t - c.origin);
    long rel = Math.max(t - c.origin, cur * c.window);
    int ahead = (int) (s >>> 32) - (int) cur;
    long count = s & COUNT_MASK;
    if (ahead != 0 && ahead != 1) {
      return 0;
    }
    long target = count + permits <= c.limit ? cur + ahead : cur + ahead + 1;
    return target == cur ? 0 : target * c.window - rel;
  }

  @Override
  protected long availablePermitsAt(long t) {
    WindowCore c = core;
    long s;
    while ((s = c.state) == CLOSED) {
      c = successorOf(c);
    }
    int ahead = (int) (s >>> 32) - (int) c.windowOf(t - c.origin);
    if (ahead == 0) {
      return Math.max(0, c.limit - (s & COUNT_MASK));
    }
    return ahead == 1 ? 0 : c.limit;
  }

  @Override
  protected void reconfigureAt(RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t) {
    WindowCore old = core;
    long s = old.close();
    long window = newConfig.period().toNanos();
    long limit = newConfig.limit();
    if (window == old.window) {
      core = new WindowCore(window, limit, old.origin, s);
      return;
    }
    // New window length: realign windows to now and carry the current count into window 0
    // (and a reservation for the next window into window 1).
    int ahead = (int) (s >>> 32) - (int) old.windowOf(t - old.origin);
    long count = s & COUNT_MASK;
    long state = ahead == 0 || ahead == 1 ? pack(ahead, Math.min(count, limit)) : 0;
    core = new WindowCore(window, limit, t, state);
  }

  private WindowCore successorOf(WindowCore closed) {
    WindowCore c;
    for (int i = 0; (c = core) == closed; i++) {
      waitBriefly(i);
    }
    return c;
  }
}
