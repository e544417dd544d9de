package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;

/**
 * Sliding-window counter: keeps the counts of the current and the previous fixed window and admits
 * {@code n} permits at time {@code t} only if {@code previous * (W - e) / W + current + n <=
 * limit}, where {@code e} is how far {@code t} is into the current window — the previous window's
 * count weighted by the share of it that the sliding window {@code (t - W, t]} still covers. The
 * comparison is exact (128-bit integer arithmetic, no floating point).
 *
 * <p>Guarantees: every fixed window admits at most {@code limit}; every admission satisfies the
 * weighted estimate above. Any sliding interval of length {@code W} therefore admits at most {@code
 * 2 * limit} (and about {@code limit} when traffic is spread evenly); use the sliding-window log
 * when the sliding bound must be exact.
 *
 * <p>State: one word, window number (20 bits, compared modulo 2^20), previous count (22 bits),
 * current count (22 bits). An idle gap of exactly a multiple of 2^20 windows makes old counts look
 * current for a window or two, which can only refuse, never over-admit. This algorithm cannot hold
 * a reservation for the future (a future admission would need its position inside a window), so
 * {@code reserve} only admits immediately and timed acquisition polls.
 *
 * <p>A caller whose clock reading is older than a window another caller has already seen begin (it
 * read the clock, then lost the race for the state word) counts at the start of that window:
 * windows never roll back, so a stale reading cannot reopen a closed window.
 *
 * <p>Thread-safe, lock-free, no allocation per call.
 */
public final class SlidingWindowCounterRateLimiter extends AbstractRateLimiter {

  private static final int COUNT_BITS = 22;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
  private static final long WINDOW_MASK = (1L << 20) - 1;

  private volatile WindowCore core;

  /**
   * Creates the limiter with empty windows.
   *
   * @param config a SLIDING_WINDOW_COUNTER configuration
   */
  public SlidingWindowCounterRateLimiter(RateLimiterConfig config) {
    super(config);
    this.core = new WindowCore(config.period().toNanos(), config.limit(), 0, 0);
  }

  private static long pack(long window, long previous, long current) {
    return ((window & WINDOW_MASK) << (2 * COUNT_BITS)) | (previous << COUNT_BITS) | current;
  }

  /** Returns {previous, current} as seen in window {@code cur} (rolled forward if needed). */
  private static long rolled(long s, long cur) {
    long stored = s >>> (2 * COUNT_BITS);
    long ahead = (cur - stored) & WINDOW_MASK;
    long previous = (s >>> COUNT_BITS) & COUNT_MASK;
    long current = s & COUNT_MASK;
    if (ahead == 0) {
      return (previous << COUNT_BITS) | current;
    }
    if (ahead == 1) {
      return current << COUNT_BITS;
    }
    return 0;
  }

  /** {@code a * b <= c * d} for non-negative operands, exactly. */
  static boolean productLessOrEqual(long a, long b, long c, long d) {
    long hi1 = Math.multiplyHigh(a, b);
    long hi2 = Math.multiplyHigh(c, d);
    if (hi1 != hi2) {
      return hi1 < hi2;
    }
    return Long.compareUnsigned(a * b, c * d) <= 0;
  }

  private static boolean admits(
      long limit, long window, long e, long previous, long current, long n) {
    long room = limit - current - n;
    return room >= 0 && productLessOrEqual(previous, window - e, room, window);
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
      long rel = t - c.origin;
      long cur = c.windowOf(rel);
      long e = Math.max(0, rel - cur * c.window); // a stale reading counts as cur's start
      long r = rolled(s, cur);
      long previous = r >>> COUNT_BITS;
      long current = r & COUNT_MASK;
      if (!admits(c.limit, c.window, e, previous, current, permits)) {
        return REJECTED;
      }
      // On failure the witness is the current value (and the cache line is ours): retry from it.
      long witness = c.compareAndExchangeState(s, pack(cur, previous, current + permits));
      if (witness == s) {
        return 0;
      }
      s = witness;
    }
  }

  @Override
  protected boolean supportsReservation() {
    return false;
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    WindowCore c = core;
    long s;
    while ((s = c.state) == CLOSED) {
      c = successorOf(c);
    }
    long w = c.window;
    long rel = t - c.origin;
    long cur = c.windowOf(rel);
    long e = Math.max(0, rel - cur * w);
    long r = rolled(s, cur);
    long previous = r >>> COUNT_BITS;
    long current = r & COUNT_MASK;
    if (admits(c.limit, w, e, previous, current, permits)) {
      return 0;
    }
    long toNextWindow = w - e;
    if (current + permits <= c.limit) {
      // The weight of the previous window decays linearly: solve for the position e' in this
      // window where previous * (W - e') <= room * W.
      return Math.max(1, needed(w, previous, c.limit - current - permits) - e);
    }
    // Next window: its previous count is our current one.
    return toNextWindow + needed(w, current, c.limit - permits);
  }

  /** Smallest position {@code e} in a window with {@code previous * (W - e) <= room * W}. */
  private static long needed(long w, long previous, long room) {
    if (previous == 0) {
      return 0;
    }
    double e = w - (double) room * w / previous;
    long guess = Math.max(0, (long) Math.floor(e));
    while (guess < w && !productLessOrEqual(previous, w - guess, room, w)) {
      guess += Math.max(1, (w - guess) / 1_000_000); // fixes float rounding in a few steps
    }
    return Math.min(guess, w);
  }

  @Override
  protected long availablePermitsAt(long t) {
    WindowCore c = core;
    long s;
    while ((s = c.state) == CLOSED) {
      c = successorOf(c);
    }
    long rel = t - c.origin;
    long cur = c.windowOf(rel);
    long e = Math.max(0, rel - cur * c.window);
    long r = rolled(s, cur);
    long previous = r >>> COUNT_BITS;
    long current = r & COUNT_MASK;
    // weighted previous, rounded up: the permits it still blocks
    long lo = 0;
    long hi = Math.max(0, c.limit - current);
    while (lo < hi) {
      long mid = (lo + hi + 1) >>> 1;
      if (admits(c.limit, c.window, e, previous, current, mid)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
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
    // New window length: realign to now; counts carry over into window 0.
    long r = rolled(s, old.windowOf(t - old.origin));
    long previous = Math.min(r >>> COUNT_BITS, limit);
    long current = Math.min(r & COUNT_MASK, limit);
    core = new WindowCore(window, limit, t, pack(0, previous, current));
  }

  private WindowCore successorOf(WindowCore closed) {
    WindowCore c;
    for (int i = 0; (c = core) == closed; i++) {
      waitBriefly(i);
    }
    return c;
  }
}
