package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;

/**
 * The striping machinery the window limiters (fixed window, sliding-window counter) share: the
 * dispatch between the single state word and its stripes, splitting on a lost compare-and-set,
 * taking from a stripe, collapsing, the consistent snapshot for queries, and closing on
 * reconfiguration. A subclass owns the layout of the word and of a stripe value and says, through
 * the hooks below, how counts are read, combined and decided; every protocol step (and so every
 * concurrency argument in {@link WindowCore} and in the subclasses' class comments) is written
 * once, here.
 *
 * <p>The per-stripe and pooled values are "counts": an algorithm-defined {@code long} that adds up
 * across stripes (the fixed window's count; the sliding counter's previous and current counts
 * packed in two fields that cannot carry into each other, since each sums to at most the limit).
 */
abstract class StripedWindowRateLimiter extends AbstractRateLimiter {

  /** Internal result: the state moved under the caller; read it again. Never returned out. */
  static final long RETRY = Long.MIN_VALUE + 1;

  /** {@link #tryWord} result: the compare-and-set on the word failed. */
  static final long LOST = Long.MIN_VALUE + 2;

  /** The word's marker: the state lives in the stripes. */
  private final long expanded;

  /** The word's marker: one thread is splitting or collapsing; wait. */
  private final long transition;

  private final int stripes;
  private final long minPermitsPerStripe;

  /** Whether a lost compare-and-set splits the word and colliding threads re-hash. */
  final boolean adaptive;

  volatile WindowCore core;

  /**
   * @param config the configuration
   * @param expanded the word's "striped" marker (no stored word equals it)
   * @param transition the word's "splitting or collapsing" marker (no stored word equals it)
   * @param stripes stripes when contended, a power of two; below 2 never stripes
   * @param minPermitsPerStripe split only when this many free permits per stripe remain
   * @param adaptive whether a lost CAS splits the word ({@code false}: only {@link #expandAt})
   * @param initialState the first window's word
   */
  StripedWindowRateLimiter(
      RateLimiterConfig config,
      long expanded,
      long transition,
      int stripes,
      long minPermitsPerStripe,
      boolean adaptive,
      long initialState) {
    super(config);
    if (stripes >= 2 && Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two but was " + stripes);
    }
    this.expanded = expanded;
    this.transition = transition;
    this.stripes = stripes;
    this.minPermitsPerStripe = minPermitsPerStripe;
    this.adaptive = adaptive;
    this.core = newCore(config.period().toNanos(), config.limit(), 0, initialState);
  }

  final WindowCore newCore(long window, long limit, long origin, long state) {
    return new WindowCore(window, limit, origin, state, stripes, minPermitsPerStripe);
  }

  // ---- the algorithm's hooks ----

  /**
   * Decides the call on the word {@code s} (not a marker) and tries to store the result with one
   * compare-and-set on {@code c}'s state.
   *
   * @return the wait ({@code 0}: now), {@link #REJECTED}, or {@link #LOST} if the CAS failed
   */
  abstract long tryWord(WindowCore c, long s, long permits, long t, long maxWait);

  /**
   * The counts of word or stripe value {@code v} as seen in window {@code cur}. Adding {@code n} to
   * counts admits {@code n} permits in the current window.
   */
  abstract long countsIn(long v, long cur);

  /** The stripe value holding {@code counts} in window {@code cur}. */
  abstract long stripeValue(long cur, long counts);

  /** The word holding {@code counts} in window {@code cur} (never a marker). */
  abstract long wordOf(long cur, long counts);

  /** The permits of the limit that {@code counts} occupy. */
  abstract long used(long counts);

  /** Whether the word {@code s} may split in window {@code cur} (e.g. no reservation ahead). */
  boolean splittable(long s, long cur) {
    return true;
  }

  /** Writes each stripe's first value, dealing {@code counts} (each within its quota). */
  abstract void deal(WindowCore c, long[] cells, long cur, long counts);

  // ---- the protocol ----

  @Override
  protected final long reserveAt(long permits, long t, long maxWait) {
    return reserveAt(permits, t, maxWait, Thread.currentThread().getId());
  }

  /** {@link #reserveAt(long, long, long)} with the stripe chosen by {@code probe} (tests). */
  final long reserveAt(long permits, long t, long maxWait, long probe) {
    WindowCore c = core;
    long s = c.state;
    for (int spins = 0; ; ) {
      if (s == expanded) {
        long r = takeFromStripe(c, permits, t, probe);
        if (r != RETRY) {
          return r;
        }
      } else if (s == transition) {
        waitBriefly(spins++);
      } else if (s == CLOSED) {
        c = successorOf(c);
      } else {
        long r = tryWord(c, s, permits, t, maxWait);
        if (r != LOST) {
          return r;
        }
        if (adaptive && maxWait == 0 && c.stripes != 0) {
          expand(c, c.state, t);
        }
      }
      s = c.state;
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
      long counts = countsIn(s, cur);
      if (used(counts) + permits > quota) {
        collapse(c, t);
        return RETRY; // decide on the pooled word
      }
      long witness =
          WindowCore.compareAndExchangeCell(cells, i, s, stripeValue(cur, counts + permits));
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
  private boolean expand(WindowCore c, long s, long t) {
    if (s == expanded || s == transition || s == CLOSED) {
      return false;
    }
    long cur = c.windowOf(t - c.origin);
    if (!splittable(s, cur)) {
      return false;
    }
    long counts = countsIn(s, cur);
    if (c.limit - used(counts) < c.splitThreshold || !c.compareAndSetState(s, transition)) {
      return false;
    }
    deal(c, c.cellsForSplit(), cur, counts);
    c.epoch = c.epoch + 1; // only the thread holding the transition marker writes it
    c.state = expanded;
    return true;
  }

  /**
   * Splits the word into stripes now if enough permits are free (tests drive striping with this; in
   * production a lost compare-and-set does).
   *
   * @param t relative time
   * @return whether the limiter is striped afterwards
   */
  final boolean expandAt(long t) {
    for (int spins = 0; ; ) {
      WindowCore c = core;
      long s = c.state;
      if (s == expanded) {
        return true;
      }
      if (s == transition || s == CLOSED) {
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
        return false; // not enough free permits (or a reservation ahead)
      }
    }
  }

  /**
   * Whether the state currently lives in stripes (tests).
   *
   * @return true while striped
   */
  final boolean isStriped() {
    return core.state == expanded;
  }

  /** Collapses the stripes into the word, unless another thread is already doing so. */
  private void collapse(WindowCore c, long t) {
    if (c.compareAndSetState(expanded, transition)) {
      c.state = pool(c, t);
    }
  }

  /** Parks the stripes and returns their pooled word; the caller holds the transition marker. */
  private long pool(WindowCore c, long t) {
    c.parkAll();
    // After parking: every stripe admission raised the hint before its CAS, so cur >= its window.
    long cur = c.windowOf(t - c.origin);
    long counts = 0;
    for (int i = 0; i < c.stripes; i++) {
      counts += countsIn(c.parkedValue(i), cur);
    }
    return wordOf(cur, counts);
  }

  /**
   * The word's value at {@code t} (pooling the stripes, without writing, if striped), or {@link
   * #CLOSED}. Two collects with equal sums (stripe values only grow while striped) under an
   * unchanged split epoch make a consistent snapshot.
   */
  final long readState(WindowCore c, long t) {
    for (int spins = 0; ; ) {
      long s = c.state;
      if (s != expanded && s != transition) {
        return s;
      }
      if (s == expanded) {
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
          long counts = 0;
          for (int i = 0; i < c.stripes && !parked; i++) {
            long v = WindowCore.getCell(cells, i);
            parked = v == WindowCore.PARKED;
            second += v;
            counts += countsIn(v, cur);
          }
          if (!parked && first == second && c.state == expanded && c.epoch == epoch) {
            return wordOf(cur, counts);
          }
          if (!parked) {
            continue; // a stripe moved between the collects: collect again at once
          }
        }
      }
      waitBriefly(spins++);
    }
  }

  /** Closes the current core's word (collapsing the stripes first) and returns its last value. */
  final long close(WindowCore c, long t) {
    for (int spins = 0; ; ) {
      long s = c.state;
      if (s == expanded) {
        if (c.compareAndSetState(expanded, transition)) {
          long pooled = pool(c, t);
          c.state = CLOSED; // straight from the transition marker: the pooled word is never seen
          return pooled;
        }
      } else if (s == transition) {
        waitBriefly(spins++);
      } else if (c.compareAndSetState(s, CLOSED)) {
        return s;
      }
    }
  }

  /** The core that replaced {@code closed} (waits the few instructions until it is published). */
  final WindowCore successorOf(WindowCore closed) {
    WindowCore c;
    for (int i = 0; (c = core) == closed; i++) {
      waitBriefly(i);
    }
    return c;
  }
}
