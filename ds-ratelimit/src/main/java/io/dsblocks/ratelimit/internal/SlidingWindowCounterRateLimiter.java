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
 * <h2>Stripes (contention-adaptive, like the token bucket's)</h2>
 *
 * <p>When a call loses a compare-and-set on the word and the two windows' counts together leave at
 * least {@code N * 16} permits of the limit free, the word is split into {@code N} stripes, each on
 * its own cache line (see {@link WindowCore}): stripe {@code i} owns a fixed quota {@code q_i} of
 * the limit ({@code Σ q_i = limit}) and holds its own previous and current counts (their sums are
 * the word's counts). A stripe admits {@code n} permits only if {@code previous_i + current_i + n
 * <= q_i} — the previous window counted in full, whatever the position in the window — which
 * implies the word's exact check for every position (summing over the stripes gives {@code previous
 * + current + n <= limit}). <b>Any call its stripe cannot serve first collapses the stripes into
 * the word (counts = the sums of the stripes' counts, rolled to the current window) and is decided
 * there, exactly.</b> So a striped limiter takes the same decisions as a single word (for any order
 * of clock readings), and every guarantee above holds unchanged. The stripes give way to the word
 * once the counts approach the limit (near it every stripe is short); they pay off when the traffic
 * is well below the limit, the common case. Queries answer for the pooled counts from a consistent
 * snapshot, without writing.
 *
 * <p>Thread-safe and lock-free except for the few instructions in which one thread splits or
 * collapses the stripes (others wait briefly, as during a reconfiguration). No allocation per call
 * (the stripes are allocated once, by the first split).
 */
public final class SlidingWindowCounterRateLimiter extends StripedWindowRateLimiter {

  private static final int COUNT_BITS = 22;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
  private static final long WINDOW_MASK = (1L << 20) - 1;

  /**
   * Word markers: the state lives in the stripes / one thread is splitting or collapsing. Like
   * {@link #CLOSED} (window 2^19, counts 0) they have a current count of 0 in a window other than
   * 0, which no stored word has (see {@link #word}).
   */
  static final long EXPANDED = CLOSED | (1L << COUNT_BITS);

  static final long TRANSITION = CLOSED | (2L << COUNT_BITS);

  /**
   * Creates the limiter with empty windows.
   *
   * @param config a SLIDING_WINDOW_COUNTER configuration
   */
  public SlidingWindowCounterRateLimiter(RateLimiterConfig config) {
    this(config, TatRateLimiter.DEFAULT_STRIPES, TatRateLimiter.MIN_PERMITS_PER_STRIPE, true);
  }

  /**
   * Creates the limiter with explicit striping (tests).
   *
   * @param config a SLIDING_WINDOW_COUNTER configuration
   * @param stripes stripes when contended, a power of two; below 2 never stripes
   * @param minPermitsPerStripe split only when this many free permits per stripe remain
   * @param adaptive whether a lost CAS splits the word and colliding threads re-hash ({@code
   *     false}: only {@link #expandAt} splits, so a sequential replay takes the same decisions)
   */
  SlidingWindowCounterRateLimiter(
      RateLimiterConfig config, int stripes, long minPermitsPerStripe, boolean adaptive) {
    super(config, EXPANDED, TRANSITION, stripes, minPermitsPerStripe, adaptive, 0);
  }

  private static long pack(long window, long previous, long current) {
    return ((window & WINDOW_MASK) << (2 * COUNT_BITS)) | (previous << COUNT_BITS) | current;
  }

  /**
   * The word for counts {previous, current} in window {@code cur}, never a marker: a word with a
   * current count of 0 is stored as an older window that rolls forward to the same counts.
   */
  private static long word(long cur, long previous, long current) {
    if (current > 0) {
      return pack(cur, previous, current);
    }
    if (previous > 0) {
      return pack(cur - 1, 0, previous);
    }
    long w = ((cur - 2) & WINDOW_MASK) == 1L << 19 ? cur - 3 : cur - 2;
    return pack(w, 0, 0);
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
  long tryWord(WindowCore c, long s, long permits, long t, long maxWait) {
    long rel = t - c.origin;
    long cur = c.windowOf(rel);
    long e = Math.max(0, rel - cur * c.window); // a stale reading counts as cur's start
    long r = rolled(s, cur);
    long previous = r >>> COUNT_BITS;
    long current = r & COUNT_MASK;
    if (!admits(c.limit, c.window, e, previous, current, permits)) {
      return REJECTED;
    }
    return c.compareAndSetState(s, pack(cur, previous, current + permits)) ? 0 : LOST;
  }

  /** Counts are {previous, current} packed as {@link #rolled} returns them. */
  @Override
  long countsIn(long v, long cur) {
    return rolled(v, cur);
  }

  @Override
  long stripeValue(long cur, long counts) {
    return pack(cur, counts >>> COUNT_BITS, counts & COUNT_MASK);
  }

  @Override
  long wordOf(long cur, long counts) {
    return word(cur, counts >>> COUNT_BITS, counts & COUNT_MASK);
  }

  /**
   * A stripe admits only if its previous count (in full, whatever the position in the window) plus
   * its current count fit its quota: summed over the stripes this implies the word's exact check.
   */
  @Override
  long used(long counts) {
    return (counts >>> COUNT_BITS) + (counts & COUNT_MASK);
  }

  @Override
  void deal(WindowCore c, long[] cells, long cur, long counts) {
    long previousLeft = counts >>> COUNT_BITS;
    long total = used(counts);
    for (int i = 0; i < c.stripes; i++) {
      long share = c.share(i, total); // within quota(i)
      long p = Math.min(share, previousLeft);
      previousLeft -= p;
      WindowCore.setCell(cells, i, pack(cur, p, share - p));
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
    while ((s = readState(c, t)) == CLOSED) {
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
    while ((s = readState(c, t)) == CLOSED) {
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
    long s = close(old, t);
    long window = newConfig.period().toNanos();
    long limit = newConfig.limit();
    if (window == old.window) {
      core = newCore(window, limit, old.origin, s).continuing(old);
      return;
    }
    // New window length: realign to now; counts carry over into window 0.
    long r = rolled(s, old.windowOf(t - old.origin));
    long previous = Math.min(r >>> COUNT_BITS, limit);
    long current = Math.min(r & COUNT_MASK, limit);
    core = newCore(window, limit, t, pack(0, previous, current));
  }
}
