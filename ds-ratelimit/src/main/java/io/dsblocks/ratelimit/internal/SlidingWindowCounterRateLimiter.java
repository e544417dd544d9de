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
public final class SlidingWindowCounterRateLimiter extends AbstractRateLimiter {

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

  /** Internal result: the state moved under the caller; read it again. Never returned out. */
  private static final long RETRY = Long.MIN_VALUE;

  private final int stripes;
  private final long minPermitsPerStripe;
  private final boolean adaptive;
  private volatile WindowCore core;

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
    super(config);
    if (stripes >= 2 && Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two but was " + stripes);
    }
    this.stripes = stripes;
    this.minPermitsPerStripe = minPermitsPerStripe;
    this.adaptive = adaptive;
    this.core = newCore(config.period().toNanos(), config.limit(), 0, 0);
  }

  private WindowCore newCore(long window, long limit, long origin, long state) {
    return new WindowCore(window, limit, origin, state, stripes, minPermitsPerStripe);
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
  protected long reserveAt(long permits, long t, long maxWait) {
    return reserveAt(permits, t, maxWait, Thread.currentThread().getId());
  }

  /** {@link #reserveAt(long, long, long)} with the stripe chosen by {@code probe} (tests). */
  long reserveAt(long permits, long t, long maxWait, long probe) {
    WindowCore c = core;
    long s = c.state;
    for (int spins = 0; ; ) {
      if (s == EXPANDED) {
        long r = takeFromStripe(c, permits, t, probe);
        if (r != RETRY) {
          return r;
        }
        s = c.state;
        continue;
      }
      if (s == TRANSITION) {
        waitBriefly(spins++);
        s = c.state;
        continue;
      }
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
      if (adaptive && c.stripes != 0 && expand(c, witness, t)) {
        s = c.state;
      } else {
        s = witness;
      }
    }
  }

  /** Takes from the caller's stripe; {@code RETRY} after collapsing when the stripe is short. */
  private long takeFromStripe(WindowCore c, long permits, long t, long probe) {
    long[] cells = c.cells;
    int i = c.stripeOf(cells, probe);
    long quota = c.quota(i);
    long s = WindowCore.getCell(cells, i);
    for (; ; ) {
      if (s == WindowCore.PARKED) {
        return RETRY; // a collapse is under way
      }
      // Read after the stripe: its writer raised the hint before writing, so cur >= its window.
      long cur = c.windowOf(t - c.origin);
      long r = rolled(s, cur);
      long previous = r >>> COUNT_BITS;
      long current = r & COUNT_MASK;
      if (previous + current + permits > quota) {
        collapse(c, t);
        return RETRY; // decide on the pooled word
      }
      long witness =
          WindowCore.compareAndExchangeCell(cells, i, s, pack(cur, previous, current + permits));
      if (witness == s) {
        return 0;
      }
      if (adaptive && witness != WindowCore.PARKED) {
        WindowCore.rehash(cells); // another thread hashes to this stripe: move elsewhere
      }
      s = witness;
    }
  }

  /** Splits the word {@code s} (read before {@code t}'s window was computed) into stripes. */
  private static boolean expand(WindowCore c, long s, long t) {
    if (s == EXPANDED || s == TRANSITION || s == CLOSED) {
      return false;
    }
    long cur = c.windowOf(t - c.origin);
    long r = rolled(s, cur);
    long previous = r >>> COUNT_BITS;
    long total = previous + (r & COUNT_MASK);
    if (c.limit - total < c.splitThreshold || !c.compareAndSetState(s, TRANSITION)) {
      return false;
    }
    long[] cells = c.cellsForSplit();
    long previousLeft = previous;
    for (int i = 0; i < c.stripes; i++) {
      long share = c.share(i, total); // within quota(i)
      long p = Math.min(share, previousLeft);
      previousLeft -= p;
      WindowCore.setCell(cells, i, pack(cur, p, share - p));
    }
    c.epoch = c.epoch + 1; // only the thread holding TRANSITION writes it
    c.state = EXPANDED;
    return true;
  }

  /**
   * Splits the word into stripes now if enough permits are free (tests drive striping with this; in
   * production a lost compare-and-set does).
   *
   * @param t relative time
   * @return whether the limiter is striped afterwards
   */
  boolean expandAt(long t) {
    for (int spins = 0; ; ) {
      WindowCore c = core;
      long s = c.state;
      if (s == EXPANDED) {
        return true;
      }
      if (s == TRANSITION || s == CLOSED) {
        waitBriefly(spins++);
        continue;
      }
      if (c.stripes == 0) {
        return false;
      }
      if (expand(c, s, t)) {
        return true;
      }
      if (c.state == s) {
        return false; // not enough free permits
      }
    }
  }

  /**
   * Whether the state currently lives in stripes (tests).
   *
   * @return true while striped
   */
  boolean isStriped() {
    return core.state == EXPANDED;
  }

  /** Collapses the stripes into the word, unless another thread is already doing so. */
  private static void collapse(WindowCore c, long t) {
    if (c.compareAndSetState(EXPANDED, TRANSITION)) {
      c.state = pool(c, t);
    }
  }

  /** Parks the stripes and returns their pooled word; the caller holds TRANSITION. */
  private static long pool(WindowCore c, long t) {
    c.parkAll();
    // After parking: every stripe admission raised the hint before its CAS, so cur >= its window.
    long cur = c.windowOf(t - c.origin);
    long previous = 0;
    long current = 0;
    for (int i = 0; i < c.stripes; i++) {
      long r = rolled(c.parkedValue(i), cur);
      previous += r >>> COUNT_BITS;
      current += r & COUNT_MASK;
    }
    return word(cur, previous, current);
  }

  /**
   * The word's value at {@code t} (pooling the stripes, without writing, if striped), or {@link
   * #CLOSED}.
   */
  private static long readState(WindowCore c, long t) {
    for (int spins = 0; ; ) {
      long s = c.state;
      if (s != EXPANDED && s != TRANSITION) {
        return s;
      }
      if (s == EXPANDED) {
        int epoch = c.epoch;
        long[] cells = c.cells;
        long first = 0;
        boolean parked = false;
        for (int i = 0; i < c.stripes && !parked; i++) {
          long v = WindowCore.getCell(cells, i);
          parked = v == WindowCore.PARKED;
          first += v;
        }
        if (!parked) {
          long cur = c.windowOf(t - c.origin);
          long second = 0;
          long previous = 0;
          long current = 0;
          for (int i = 0; i < c.stripes && !parked; i++) {
            long v = WindowCore.getCell(cells, i);
            parked = v == WindowCore.PARKED;
            second += v;
            long r = rolled(v, cur);
            previous += r >>> COUNT_BITS;
            current += r & COUNT_MASK;
          }
          if (!parked && first == second && c.state == EXPANDED && c.epoch == epoch) {
            return word(cur, previous, current);
          }
          if (!parked) {
            continue; // a stripe moved between the collects: collect again at once
          }
        }
      }
      waitBriefly(spins++);
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

  /** Closes the word (collapsing the stripes first) and returns its last value. */
  private static long close(WindowCore c, long t) {
    for (int spins = 0; ; ) {
      long s = c.state;
      if (s == EXPANDED) {
        if (c.compareAndSetState(EXPANDED, TRANSITION)) {
          long pooled = pool(c, t);
          c.state = CLOSED; // straight from TRANSITION: the pooled word is never seen
          return pooled;
        }
      } else if (s == TRANSITION) {
        waitBriefly(spins++);
      } else if (c.compareAndSetState(s, CLOSED)) {
        return s;
      }
    }
  }

  private WindowCore successorOf(WindowCore closed) {
    WindowCore c;
    for (int i = 0; (c = core) == closed; i++) {
      waitBriefly(i);
    }
    return c;
  }
}
