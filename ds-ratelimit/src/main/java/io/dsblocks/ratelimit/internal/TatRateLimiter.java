package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;

/**
 * Single-bandwidth token bucket and GCRA: both are one "theoretical arrival time" word, which
 * spreads over per-thread stripes while threads contend for it.
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
 * <h2>Stripes (contention-adaptive, like {@code LongAdder})</h2>
 *
 * <p>Two threads that share one word pay a contended compare-and-set per call (the cache line moves
 * between cores every time). So when a non-waiting call loses a compare-and-set and the bucket
 * holds at least {@code MIN_PERMITS_PER_STRIPE} permits per stripe, the word is split into {@code
 * N} stripes, each on its own cache line and each a bucket of the same depth {@code tau} refilled
 * at {@code 1/N} of the rate (emission interval {@code N * interval}). Splitting copies the word
 * into every stripe: each stripe then holds exactly {@code 1/N} of the permits (its debt equals the
 * word's debt). A thread takes from the stripe its id hashes to; threads that collide on a stripe
 * re-hash.
 *
 * <p>Define the pooled debt {@code Φ = ceil(Σ max(0, tat_i - t) / N)}: a single word with debt
 * {@code Φ} holds exactly the permits of all stripes together (fractions included). A stripe take
 * of {@code n} raises {@code Φ} by exactly {@code n * interval}, as a take on the word would; time
 * lowers {@code Φ} by at most the elapsed time (a full stripe's refill overflows, as a full
 * bucket's does), and {@code Φ <= tau} after every take. Hence the guarantee of the single word
 * holds unchanged: <b>any interval {@code [a, b]} admits at most {@code burst + (b - a) / interval}
 * permits</b>. The rule that keeps decisions exact:
 *
 * <ul>
 *   <li>A call that its stripe can serve at once is admitted from the stripe.
 *   <li>Any other call (the stripe is short, a waiting call that must wait, a reconfiguration)
 *       first <b>collapses</b> the stripes back into the word with debt {@code Φ} at its own time
 *       and then decides on the word, in the same step. A call is therefore rejected only when
 *       <em>all</em> stripes together cannot serve it, every reservation is ordered on the single
 *       word, and with a ticker that does not move, exactly {@code burst} permits are admitted.
 *   <li>Queries ({@code availablePermits}, {@code nanosUntilAvailable}) read a consistent snapshot
 *       of the stripes (two equal collects; stripe words only grow) and answer for {@code Φ}.
 * </ul>
 *
 * <p>The one difference from a single word, and only while striped: a stripe that is full while
 * another is not loses its refill (the single word would have kept it for the other stripe's
 * callers). The limiter may then admit fewer permits than a single word would — never more — and
 * the next collapse (which every rejection goes through) pools what is left.
 *
 * <p>Thread-safe and lock-free except for the short windows in which one thread splits or collapses
 * the stripes (others wait a few instructions, like during reconfiguration); reconfiguration
 * collapses the stripes and swaps the whole {@link Core} (parameters and state together) so an
 * acquirer never mixes old parameters with a new state.
 */
public final class TatRateLimiter extends AbstractRateLimiter {

  /** {@code Core.tat}: the state lives in the stripes. */
  static final long EXPANDED = Long.MIN_VALUE + 1;

  /** {@code Core.tat}: one thread is splitting or collapsing the stripes; wait. */
  static final long TRANSITION = Long.MIN_VALUE + 2;

  /**
   * Sign bit of a stripe word that is not in use (the state is in {@code Core.tat}): collapsing
   * sets it, keeping the value readable, so any CAS from the stripe's old value fails.
   */
  static final long PARKED = Long.MIN_VALUE;

  /** Internal result: the state moved under the caller; read it again. Never returned out. */
  private static final long RETRY = Long.MIN_VALUE;

  /** Stripes only pay off when each gets a useful share of the bucket. */
  static final long MIN_PERMITS_PER_STRIPE = 16;

  /** Re-deals of threads over stripes per split word (see {@link #rehash}). */
  private static final long MAX_REHASHES = 64;

  /** Longs per stripe: 128 bytes, so stripes never share a cache line (or an adjacent pair). */
  private static final int PAD = 16;

  /** Deepest bucket that may stripe: keeps {@code N * tau} far from overflow. */
  private static final long MAX_STRIPED_TAU = 1L << 56;

  /** Stripes per contended limiter: a power of two, twice the processors, in [2, 32]. */
  static final int DEFAULT_STRIPES =
      Math.max(
          2, Math.min(32, Integer.highestOneBit(Runtime.getRuntime().availableProcessors()) * 2));

  /** Parameters and state word; replaced as a whole on reconfiguration. */
  static final class Core {
    final long interval;
    final long tau;

    /** Number of stripes, or 0 when this configuration never stripes. */
    final int stripes;

    /** Emission interval of one stripe: {@code stripes * interval}. */
    final long stripeInterval;

    /** Split when this many permits are available (and a call lost a CAS). */
    final long expandThreshold;

    @SuppressWarnings("unused") // accessed through TAT
    volatile long tat;

    /**
     * Stripe words at {@code (i + 1) * PAD}; a salt for re-hashing at {@code PAD / 2}. Allocated by
     * the first split (so an uncontended limiter stays small) and published by writing {@code
     * EXPANDED}.
     */
    long[] cells;

    /** Incremented by every split; lets queries detect a collapse and re-split under them. */
    volatile int epoch;

    Core(long interval, long tau, long tat, int stripes, long minPermitsPerStripe) {
      this.interval = interval;
      this.tau = tau;
      this.tat = tat;
      boolean eligible =
          stripes >= 2
              && tau <= MAX_STRIPED_TAU
              && tau / interval >= (long) stripes * minPermitsPerStripe;
      this.stripes = eligible ? stripes : 0;
      this.stripeInterval = stripes * interval;
      this.expandThreshold = (long) stripes * minPermitsPerStripe;
    }
  }

  private static final VarHandle TAT;
  private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

  static {
    try {
      TAT = MethodHandles.lookup().findVarHandle(Core.class, "tat", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int stripes;
  private final long minPermitsPerStripe;
  private final boolean adaptive;
  private volatile Core core;

  /**
   * Creates a full limiter.
   *
   * @param config a TOKEN_BUCKET (one bandwidth) or GCRA configuration
   */
  public TatRateLimiter(RateLimiterConfig config) {
    this(config, DEFAULT_STRIPES, MIN_PERMITS_PER_STRIPE, true);
  }

  /**
   * Creates a full limiter with explicit striping (tests).
   *
   * @param config a TOKEN_BUCKET (one bandwidth) or GCRA configuration
   * @param stripes stripes when contended, a power of two; below 2 never stripes
   * @param minPermitsPerStripe split only when this many permits per stripe are available
   * @param adaptive whether a lost CAS splits the word and colliding threads re-hash ({@code
   *     false}: only {@link #expandAt} splits and the stripe of a probe never changes, so a
   *     sequential replay of a concurrent history takes the same decisions)
   */
  TatRateLimiter(
      RateLimiterConfig config, int stripes, long minPermitsPerStripe, boolean adaptive) {
    super(config);
    if (stripes >= 2 && Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two but was " + stripes);
    }
    this.stripes = stripes;
    this.minPermitsPerStripe = minPermitsPerStripe;
    this.adaptive = adaptive;
    this.core = newCore(config, 0);
  }

  private Core newCore(RateLimiterConfig config, long tat) {
    long interval = config.nanosPerPermit();
    return new Core(interval, config.burst() * interval, tat, stripes, minPermitsPerStripe);
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    return reserveAt(permits, t, maxWait, Thread.currentThread().getId());
  }

  /**
   * {@link #reserveAt(long, long, long)} with the stripe chosen by {@code probe} (the thread id in
   * production; an argument in tests so a sequential replay takes the same stripes).
   */
  long reserveAt(long permits, long t, long maxWait, long probe) {
    Core c = core;
    long tat = c.tat;
    for (int spins = 0; ; ) {
      if (tat >= 0) {
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
        if (adaptive && maxWait == 0 && witness >= 0 && expandable(c, witness, t)) {
          expand(c, witness); // on success the next read sees EXPANDED
          tat = c.tat;
        } else {
          tat = witness;
        }
        continue;
      }
      if (tat == EXPANDED) {
        long r = reserveOnStripe(c, permits, t, maxWait, probe);
        if (r != RETRY) {
          return r;
        }
      } else if (tat == CLOSED) {
        c = successorOf(c);
      } else {
        waitBriefly(spins++);
      }
      tat = c.tat;
    }
  }

  /** Takes from the caller's stripe, or collapses and decides on the word. */
  private long reserveOnStripe(Core c, long permits, long t, long maxWait, long probe) {
    long[] cells = c.cells;
    int index = stripeIndex(cells, probe, c.stripes);
    long s = (long) CELL.getVolatile(cells, index);
    for (; ; ) {
      if (s < 0) {
        return RETRY; // parked: a collapse is under way
      }
      long newS = (s > t ? s : t) + permits * c.stripeInterval;
      if (newS - t > c.tau) {
        return collapseAndReserve(c, permits, t, maxWait);
      }
      long witness = (long) CELL.compareAndExchange(cells, index, s, newS);
      if (witness == s) {
        return 0;
      }
      if (witness >= 0) {
        rehash(cells); // another thread hashes to this stripe: move (both of) us elsewhere
      }
      s = witness;
    }
  }

  /**
   * Collapses the stripes into the word with debt {@code Φ} at {@code t} and applies the call
   * (which may wait up to {@code maxWait}) in the same step; {@code permits == 0} only collapses.
   */
  private long collapseAndReserve(Core c, long permits, long t, long maxWait) {
    long tat = collapse(c, t);
    if (tat == RETRY) {
      return RETRY; // someone else collapses; decide on the word they publish
    }
    long newTat = tat + permits * c.interval;
    long wait = newTat - t - c.tau;
    if (wait > maxWait) {
      TAT.setVolatile(c, tat);
      return REJECTED;
    }
    TAT.setVolatile(c, newTat);
    return wait > 0 ? wait : 0;
  }

  /**
   * Takes the stripes out of use and returns the word they pool into, leaving {@code c.tat} at
   * {@code TRANSITION} for the caller to publish (so nobody sees the pooled word before the call
   * that collapsed has been applied to it), or returns {@code RETRY} if another thread collapses.
   */
  private long collapse(Core c, long t) {
    if (!TAT.compareAndSet(c, EXPANDED, TRANSITION)) {
      return RETRY;
    }
    long[] cells = c.cells;
    int n = c.stripes;
    for (int i = 0; i < n; i++) {
      CELL.getAndBitwiseOr(cells, (i + 1) * PAD, PARKED); // the value stays readable
    }
    // Pool at a time no earlier than any reading a stripe admission used: those readings were
    // taken before their CAS, hence before the parking above, so a clock read now is late
    // enough. `t` alone may be stale, and pooling before some admission's reading would hand a
    // full stripe's lost refill to the others (a few permits too many in a window starting after
    // `t`). Pooling later is only stricter: the pooled time-until-full never decreases with the
    // pooling time. With a ticker that does not move, tc == t.
    long tc = Math.max(t, now());
    long debt = 0;
    for (int i = 0; i < n; i++) {
      long v = (long) CELL.getVolatile(cells, (i + 1) * PAD) & ~PARKED;
      debt += v > tc ? v - tc : 0;
    }
    return tc + (debt + n - 1) / n; // rounding up: never more than the stripes held
  }

  private static boolean expandable(Core c, long tat, long t) {
    if (c.stripes == 0) {
      return false;
    }
    long debt = tat > t ? tat - t : 0;
    return (c.tau - debt) / c.interval >= c.expandThreshold;
  }

  /** Splits the word {@code tat} into stripes, if it still holds {@code tat}. */
  private static boolean expand(Core c, long tat) {
    if (!TAT.compareAndSet(c, tat, TRANSITION)) {
      return false;
    }
    long[] cells = c.cells;
    if (cells == null) {
      cells = new long[(c.stripes + 1) * PAD];
      c.cells = cells; // published by the EXPANDED write below
    }
    for (int i = 0; i < c.stripes; i++) {
      // Each stripe gets the word's debt, so 1/N of its permits: the pooled debt is unchanged.
      CELL.setVolatile(cells, (i + 1) * PAD, tat);
    }
    c.epoch = c.epoch + 1; // only the thread holding TRANSITION writes it
    TAT.setVolatile(c, EXPANDED);
    return true;
  }

  /**
   * Splits the word into stripes now if the bucket holds enough permits (tests drive striping
   * explicitly with this; in production a lost compare-and-set does).
   *
   * @param t relative time
   * @return whether the limiter is striped afterwards
   */
  boolean expandAt(long t) {
    for (int spins = 0; ; ) {
      Core c = core;
      long tat = c.tat;
      if (tat == EXPANDED) {
        return true;
      }
      if (tat >= 0) {
        if (!expandable(c, tat, t)) {
          return false;
        }
        if (expand(c, tat)) {
          return true;
        }
      } else {
        waitBriefly(spins++);
      }
    }
  }

  /**
   * Whether the state currently lives in stripes (tests and diagnostics).
   *
   * @return true while striped
   */
  boolean isStriped() {
    return core.tat == EXPANDED;
  }

  private static int stripeIndex(long[] cells, long probe, int n) {
    long salt = (long) CELL.getOpaque(cells, PAD / 2);
    long h = (probe + salt) * 0x9E3779B97F4A7C15L;
    return ((int) (h >>> 40) & (n - 1)) * PAD + PAD;
  }

  private void rehash(long[] cells) {
    // Racy increment is fine: any change of salt re-deals the threads over the stripes. Bounded:
    // with more threads than stripes collisions never stop, and every re-deal writes a line that
    // all callers read.
    long salt = (long) CELL.getOpaque(cells, PAD / 2);
    if (adaptive && salt < MAX_REHASHES) {
      CELL.setOpaque(cells, PAD / 2, salt + 1);
    }
  }

  /**
   * The word's value at {@code t}, pooling the stripes if striped, or {@link #CLOSED}. Never
   * writes: a snapshot of the stripes is two collects with equal sums (stripe words only grow while
   * striped) under an unchanged split epoch.
   */
  private static long readTat(Core c, long t) {
    for (int spins = 0; ; ) {
      long tat = c.tat;
      if (tat >= 0 || tat == CLOSED) {
        return tat;
      }
      if (tat == EXPANDED) {
        int epoch = c.epoch;
        long[] cells = c.cells;
        int n = c.stripes;
        long first = 0;
        boolean parked = false;
        for (int i = 0; i < n && !parked; i++) {
          long v = (long) CELL.getVolatile(cells, (i + 1) * PAD);
          parked = v < 0;
          first += v;
        }
        if (!parked) {
          long second = 0;
          long debt = 0;
          for (int i = 0; i < n && !parked; i++) {
            long v = (long) CELL.getVolatile(cells, (i + 1) * PAD);
            parked = v < 0;
            second += v;
            debt += v > t ? v - t : 0;
          }
          if (!parked && first == second && c.tat == EXPANDED && c.epoch == epoch) {
            return t + (debt + n - 1) / n;
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
  protected long nanosUntilAvailableAt(long permits, long t) {
    Core c = core;
    long tat;
    while ((tat = readTat(c, t)) == CLOSED) {
      c = successorOf(c);
    }
    long wait = (tat > t ? tat : t) + permits * c.interval - t - c.tau;
    return Math.max(0, wait);
  }

  @Override
  protected long availablePermitsAt(long t) {
    Core c = core;
    long tat;
    while ((tat = readTat(c, t)) == CLOSED) {
      c = successorOf(c);
    }
    long debt = tat > t ? tat - t : 0;
    return Math.max(0, (c.tau - debt) / c.interval);
  }

  @Override
  protected void reconfigureAt(RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t) {
    Core old = core;
    long tat;
    for (int spins = 0; ; ) {
      tat = old.tat;
      if (tat >= 0) {
        if (TAT.compareAndSet(old, tat, CLOSED)) {
          break;
        }
      } else if (tat == EXPANDED) {
        tat = collapse(old, t); // the permits pooled now carry over
        if (tat != RETRY) {
          TAT.setVolatile(old, CLOSED); // straight from TRANSITION: the pooled word is never seen
          break;
        }
      } else {
        waitBriefly(spins++);
      }
    }
    Core next = newCore(newConfig, 0);
    next.tat = t + carriedDebt(tat - t, old.interval, old.tau, next.interval, next.tau);
    core = next;
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
