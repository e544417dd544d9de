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
 * <h2>Stripes (contention-adaptive, like the token bucket's)</h2>
 *
 * <p>When a non-waiting call loses a compare-and-set on the word and at least {@code N * 16}
 * permits of the current window are free, the word is split into {@code N} stripes, each on its own
 * cache line (see {@link WindowCore}): stripe {@code i} owns a fixed quota {@code q_i} of the limit
 * in every window ({@code Σ q_i = limit}) and starts with its share of the window's count. A stripe
 * is a fixed window of limit {@code q_i}; so the stripes together never count more than {@code
 * limit} in a window. <b>A call its stripe can serve at once is admitted there; any other call (the
 * stripe is short, a reservation for the next window, a reconfiguration) first collapses the
 * stripes into the word — count = the sum of the stripes' counts in the current window — and is
 * decided on the word.</b> A stripe admits only what the word would admit, and every refusal is
 * decided on the exact pooled count, so striped and single-word limiters take the same decisions
 * (the guarantee above holds unchanged). Queries answer for the pooled count from a consistent
 * snapshot (two equal collects under an unchanged split epoch), without writing.
 *
 * <p>Thread-safe and lock-free except for the few instructions in which one thread splits or
 * collapses the stripes (others wait briefly, as during a reconfiguration). No allocation per call
 * (the stripes are allocated once, by the first split).
 */
public final class FixedWindowRateLimiter extends StripedWindowRateLimiter {

  private static final long COUNT_MASK = 0xFFFF_FFFFL;

  /**
   * Word markers: the state lives in the stripes / one thread is splitting or collapsing. Their
   * count field (all ones) is impossible: counts never exceed a limit, which is below 2^31.
   */
  static final long EXPANDED = -1L;

  static final long TRANSITION = -2L;

  /**
   * Creates the limiter with an empty first window.
   *
   * @param config a FIXED_WINDOW configuration
   */
  public FixedWindowRateLimiter(RateLimiterConfig config) {
    this(config, TatRateLimiter.DEFAULT_STRIPES, TatRateLimiter.MIN_PERMITS_PER_STRIPE, true);
  }

  /**
   * Creates the limiter with explicit striping (tests).
   *
   * @param config a FIXED_WINDOW configuration
   * @param stripes stripes when contended, a power of two; below 2 never stripes
   * @param minPermitsPerStripe split only when this many free permits per stripe remain
   * @param adaptive whether a lost CAS splits the word and colliding threads re-hash ({@code
   *     false}: only {@link #expandAt} splits, so a sequential replay takes the same decisions)
   */
  FixedWindowRateLimiter(
      RateLimiterConfig config, int stripes, long minPermitsPerStripe, boolean adaptive) {
    super(config, EXPANDED, TRANSITION, stripes, minPermitsPerStripe, adaptive, 0);
  }

  private static long pack(long window, long count) {
    return (window << 32) | count;
  }

  /**
   * The word for {@code count} permits taken in window {@code cur}. An empty window is stored as an
   * older one (which reads as empty) when {@code pack(cur, 0)} would be the closed marker.
   */
  private static long word(long cur, long count) {
    if (count > 0) {
      return pack(cur, count);
    }
    long w = pack(cur - 2, 0) == CLOSED ? cur - 3 : cur - 2;
    return pack(w, 0);
  }

  @Override
  long tryWord(WindowCore c, long s, long permits, long t, long maxWait) {
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
    return c.compareAndSetState(s, pack(target, newCount)) ? wait : LOST;
  }

  @Override
  long stripeValue(long cur, long counts) {
    return pack(cur, counts);
  }

  @Override
  long countsIn(long v, long cur) {
    return (int) (v >>> 32) == (int) cur ? v & COUNT_MASK : 0;
  }

  @Override
  long wordOf(long cur, long counts) {
    return word(cur, counts);
  }

  @Override
  long used(long counts) {
    return counts;
  }

  @Override
  boolean splittable(long s, long cur) {
    return (int) (s >>> 32) - (int) cur != 1; // a reservation holds the next window: stay
  }

  @Override
  void deal(WindowCore c, long[] cells, long cur, long counts) {
    for (int i = 0; i < c.stripes; i++) {
      WindowCore.setCell(cells, i, pack(cur, c.share(i, counts))); // within quota(i)
    }
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    WindowCore c = core;
    long s;
    while ((s = readState(c, t)) == CLOSED) {
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
    while ((s = readState(c, t)) == CLOSED) {
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
    long s = close(old, t);
    long window = newConfig.period().toNanos();
    long limit = newConfig.limit();
    if (window == old.window) {
      core = newCore(window, limit, old.origin, s).continuing(old);
      return;
    }
    // New window length: realign windows to now and carry the current count into window 0
    // (and a reservation for the next window into window 1).
    int ahead = (int) (s >>> 32) - (int) old.windowOf(t - old.origin);
    long count = s & COUNT_MASK;
    long state = ahead == 0 || ahead == 1 ? pack(ahead, Math.min(count, limit)) : 0;
    core = newCore(window, limit, t, state);
  }
}
