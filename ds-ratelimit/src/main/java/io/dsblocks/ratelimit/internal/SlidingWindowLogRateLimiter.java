package io.dsblocks.ratelimit.internal;

import io.dsblocks.ratelimit.RateLimiterConfig;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Sliding-window log: exact. Admission number {@code j} (counting permits since creation) is
 * stamped with its time; permit {@code j} may be granted at {@code t} only if permit {@code j -
 * limit} was granted at or before {@code t - W}. So every half-open interval {@code (x, x + W]}
 * contains at most {@code limit} admissions.
 *
 * <p>State: a counter {@code next} (permits granted so far) and a ring of the last {@code limit}
 * admission times, plus for each slot a stamp saying which admission wrote it. A caller claims
 * permits {@code [s, s + n)} with one compare-and-set on {@code next} (this is the linearisation
 * point), then writes their times and publishes the stamps (a seqlock per slot: the stamp is
 * cleared before the time is rewritten, so a reader never pairs an old stamp with a new time). A
 * caller that needs the time of an admission whose writer has claimed but not yet published it
 * waits (spins, then yields) for the few instructions until it is published. So the log is
 * lock-free except for that publication window: a thread descheduled between its CAS and its stores
 * delays others that need exactly its slot. A single-word encoding is impossible here — the log is
 * {@code limit} timestamps.
 *
 * <p>Racing callers read the clock in one order and win the CAS in another; a caller whose reading
 * is older than the previous admission's (not a reservation) adopts that later reading, since that
 * time has certainly come, instead of being refused.
 *
 * <p>Admission times never decrease along the ring, which keeps the check to one slot: a caller is
 * stamped {@code max(now, time of the previous admission)}; a reservation stamps a future time and
 * later callers queue behind it.
 *
 * <h2>Stripes (contention-adaptive)</h2>
 *
 * <p>When a compare-and-set on {@code next} fails (a call that would not wait), the log has no
 * reservation queued and at least {@code stripes * minPermitsPerStripe} permits are free, the log
 * splits into {@code N} stripes: stripe {@code i} owns a fixed quota {@code q_i} of the limit
 * ({@code Σ q_i = limit}) and a ring of its own {@code q_i} admissions, dealt round-robin, in time
 * order, from the log's last {@code limit} admissions. A thread admits on the stripe its id hashes
 * to only if that stripe alone can admit at once (its admission {@code q_i} back has left the
 * window): then any window holds at most {@code q_i - 1} of that stripe's admissions before it and
 * at most {@code q_j} of every other's, so the single log would have admitted too. Anything a
 * stripe cannot serve (its quota is used up, a call that may wait, a query, a reconfiguration)
 * collapses: the stripes are parked, their rings merged in time order back into the single log
 * (O(limit * N), rare) and the call is decided there. The admissions a stripe has overwritten are
 * out of every window from then on (the stripe admitted newer ones only after they had left), so
 * the merged log decides exactly as the whole history would. Stripe rings are allocated by the
 * first split and reused; only limits up to {@link #MAX_STRIPED_LIMIT} stripe (the rings double the
 * memory). One difference under racing readings: a stripe admission adopts only its own stripe's
 * later time, not the whole log's (the window bound holds on the stamped times either way).
 *
 * <p>Memory: 16 bytes per slot, the limit rounded up to a power of two (so 16 to 32 bytes per
 * permit; twice that once striped). No allocation per call. Thread-safe.
 */
public final class SlidingWindowLogRateLimiter extends AbstractRateLimiter {

  private static final long UNREADABLE = Long.MIN_VALUE;

  /** Unused longs at each end of a slot array (128 bytes), see {@link Ring#Ring}. */
  private static final int PAD = 16;

  /**
   * Padding before {@link RingNext#next}: the stripe rings are allocated together, and without it
   * one stripe's counter shares a cache line (or an adjacent-line pair) with its neighbour's, so
   * two threads on two stripes still invalidate each other's line on every admission.
   */
  @SuppressWarnings("unused")
  abstract static class RingPadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
  }

  /** The counter, alone between two 128-byte pads. */
  abstract static class RingNext extends RingPadBefore {
    /** Permits granted so far (or a negative state: CLOSED, STRIPED, BUSY); accessed via NEXT. */
    volatile long next;
  }

  /** Padding after {@link RingNext#next}, so the ring's read-mostly fields stay on other lines. */
  @SuppressWarnings("unused")
  abstract static class RingPadAfter extends RingNext {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
  }

  /** Ring, window and counter; replaced as a whole on reconfiguration. */
  static final class Ring extends RingPadAfter {
    final long window;
    final int size;

    /**
     * Slot {@code i} is {@code slots[PAD + 2i]} (time) and {@code slots[PAD + 2i + 1]} (stamp: the
     * admission number + 1 that wrote it, shifted left once, low bit set for a reservation, that
     * is, a time later than its caller's clock reading); interleaved so a slot is one cache line
     * fetch.
     */
    final long[] slots;

    /** Ring capacity - 1: the capacity is {@link #size} rounded up to a power of two. */
    final int mask;

    /** Number of stripes, or 0 when this ring never stripes. */
    final int stripeCount;

    /** Split only when at least this many permits of the limit are free. */
    final long splitThreshold;

    /** The stripe rings; allocated by the first split, published by writing {@link #STRIPED}. */
    Ring[] stripes;

    /** Re-deal salt for the stripe hash (opaque, bounded like the token bucket's). */
    volatile int salt;

    /** Stripe only: its {@code next} when it was last parked (numbers are never reused). */
    long parkedAt;

    /** Stripe only: merge cursor while collapsing. */
    long cursor;

    /** This ring's {@code next} when it was split. */
    long splitAt;

    Ring(long window, int size, long next) {
      this(window, size, next, 0, Long.MAX_VALUE);
    }

    Ring(long window, int size, long next, int stripes, long minPermitsPerStripe) {
      this.window = window;
      this.size = size;
      // A power-of-two ring (>= size) indexes with a mask: `j % size` was a 64-bit division per
      // slot access, four per admission. The ring keeps the last `capacity` admissions, so
      // admission `j - size` is still readable when `j` asks for it. PAD longs on both ends keep
      // neighbouring stripes' rings (allocated together) off each other's cache lines.
      int capacity = size == 1 ? 1 : Integer.highestOneBit(size - 1) << 1;
      this.mask = capacity - 1;
      this.slots = new long[2 * capacity + 2 * PAD];
      this.next = next;
      boolean eligible =
          stripes >= 2 && size <= MAX_STRIPED_LIMIT && size / stripes >= minPermitsPerStripe;
      this.stripeCount = eligible ? stripes : 0;
      this.splitThreshold = eligible ? stripes * minPermitsPerStripe : Long.MAX_VALUE;
    }

    /** The quota of stripe {@code i}: the quotas add up to {@link #size}. */
    int quota(int i) {
      return size / stripeCount + (i < size % stripeCount ? 1 : 0);
    }

    /** Time of admission {@code j}, or {@link #UNREADABLE} if its slot holds another admission. */
    long timeOf(long j) {
      int i = index(j);
      long stamp = (long) SLOTS.getAcquire(slots, i + 1);
      if ((stamp >>> 1) != j + 1) {
        return UNREADABLE;
      }
      long time = (long) SLOTS.getOpaque(slots, i);
      // Seqlock check: the slot's next writer clears the stamp before writing its time.
      VarHandle.loadLoadFence();
      return (long) SLOTS.getOpaque(slots, i + 1) == stamp ? time : UNREADABLE;
    }

    /**
     * The caller's effective "now": {@code t}, or the time of admission {@code j} if that is later
     * and was not a reservation. Racing callers read the clock in one order and win the CAS in
     * another; a later reading already taken by another caller is a time that has certainly come,
     * so using it avoids refusing (or making wait) a caller whose reading is merely a little stale.
     * {@link #UNREADABLE} if the slot holds another admission.
     */
    long nowAfter(long j, long t) {
      int i = index(j);
      long stamp = (long) SLOTS.getAcquire(slots, i + 1);
      if ((stamp >>> 1) != j + 1) {
        return UNREADABLE;
      }
      long time = (long) SLOTS.getOpaque(slots, i);
      VarHandle.loadLoadFence();
      if ((long) SLOTS.getOpaque(slots, i + 1) != stamp) {
        return UNREADABLE;
      }
      return (stamp & 1) == 0 && time > t ? time : t;
    }

    /** Whether admission {@code j} (published) was a reservation. */
    boolean reserved(long j) {
      return ((long) SLOTS.getAcquire(slots, index(j) + 1) & 1) != 0;
    }

    /** Index in {@link #slots} of admission {@code j}'s time (its stamp follows). */
    int index(long j) {
      return PAD + 2 * ((int) j & mask);
    }

    void publish(long j, long time, boolean reserved) {
      int i = index(j);
      // Clear the stamp first so a reader of the slot's previous admission cannot pair that
      // admission's stamp with this time (see timeOf).
      SLOTS.setOpaque(slots, i + 1, 0L);
      VarHandle.storeStoreFence();
      SLOTS.setOpaque(slots, i, time);
      SLOTS.setRelease(slots, i + 1, ((j + 1) << 1) | (reserved ? 1 : 0));
    }
  }

  private static final VarHandle NEXT;
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

  static {
    try {
      NEXT = MethodHandles.lookup().findVarHandle(RingNext.class, "next", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code Ring.next} of the single log while the log lives in the stripes. */
  static final long STRIPED = Long.MIN_VALUE + 1;

  /** {@code Ring.next} while one thread splits or collapses the log; wait. */
  static final long BUSY = Long.MIN_VALUE + 2;

  /** Stands for "no admission" when a split deals fewer admissions than the limit. */
  private static final long NEVER = Long.MIN_VALUE / 4;

  /** Largest limit that may stripe: the stripe rings double the log's memory. */
  static final int MAX_STRIPED_LIMIT = 1 << 20;

  /**
   * Stripes per contended log: a power of two, the processors, in [2, 32]. Fewer than the token
   * bucket's, because a stripe owns a fixed share of the window and a thread that outruns its share
   * forces an O(limit) collapse.
   */
  static final int DEFAULT_STRIPES =
      Math.max(2, Math.min(32, Integer.highestOneBit(Runtime.getRuntime().availableProcessors())));

  /** Splitting pays off only when each stripe gets a useful share of the window. */
  static final long MIN_PERMITS_PER_STRIPE = 64;

  private static final long RETRY = Long.MIN_VALUE + 3;
  private static final long SHORT = Long.MIN_VALUE + 4;

  private final int stripes;
  private final long minPermitsPerStripe;
  private final boolean adaptive;

  private volatile Ring ring;

  /**
   * Creates the limiter with an empty log.
   *
   * @param config a SLIDING_WINDOW_LOG configuration
   */
  public SlidingWindowLogRateLimiter(RateLimiterConfig config) {
    this(config, DEFAULT_STRIPES, MIN_PERMITS_PER_STRIPE, true);
  }

  /**
   * Creates the limiter with an empty log.
   *
   * @param config a SLIDING_WINDOW_LOG configuration
   * @param stripes stripes when contended, a power of two; below 2 never stripes
   * @param minPermitsPerStripe split only when each stripe's quota is at least this
   * @param adaptive whether a failed compare-and-set splits the log; if {@code false} only {@link
   *     #expandAt} splits
   */
  SlidingWindowLogRateLimiter(
      RateLimiterConfig config, int stripes, long minPermitsPerStripe, boolean adaptive) {
    super(config);
    this.stripes = stripes;
    this.minPermitsPerStripe = minPermitsPerStripe;
    this.adaptive = adaptive;
    this.ring = newRing(config, 0);
  }

  private Ring newRing(RateLimiterConfig config, long next) {
    return new Ring(
        config.period().toNanos(), (int) config.limit(), next, stripes, minPermitsPerStripe);
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    return reserveAt(permits, t, maxWait, Thread.currentThread().getId());
  }

  /**
   * {@link #reserveAt(long, long, long)} with the stripe chosen by {@code probe} (the thread id in
   * production; an argument in tests).
   */
  long reserveAt(long permits, long t, long maxWait, long probe) {
    Ring r = ring;
    for (int spins = 0; ; ) {
      long s = r.next;
      if (s < 0) {
        if (s == CLOSED) {
          r = successorOf(r);
        } else if (s == STRIPED) {
          long w = takeFromStripe(r, permits, t, probe);
          if (w == 0) {
            return 0;
          }
          if (w == SHORT) {
            collapse(r);
          }
        } else {
          waitBriefly(spins++);
        }
        continue;
      }
      long now = s > 0 ? r.nowAfter(s - 1, t) : t;
      long at = now == UNREADABLE ? UNREADABLE : earliest(r, s, permits, now);
      if (at == UNREADABLE) {
        waitBriefly(spins++);
        continue;
      }
      long wait = at - now;
      if (wait > maxWait) {
        return REJECTED;
      }
      if (NEXT.compareAndSet(r, s, s + permits)) {
        for (long j = s; j < s + permits; j++) {
          r.publish(j, at, wait > 0);
        }
        return wait;
      }
      if (adaptive && maxWait == 0 && r.stripeCount > 0) {
        long witness = r.next;
        if (witness >= 0) {
          expand(r, witness, t); // on success the next read sees STRIPED
        }
      }
    }
  }

  /**
   * Admits from the caller's stripe if it can admit at once: returns 0, {@link #SHORT} if the
   * stripe cannot serve the call (collapse and decide on the single log), or {@link #RETRY}.
   */
  private static long takeFromStripe(Ring r, long permits, long t, long probe) {
    Ring[] st = r.stripes; // published by the volatile write of STRIPED the caller read
    int n = r.stripeCount;
    long h = (probe + r.salt) * 0x9E3779B97F4A7C15L;
    Ring x = st[(int) (h >>> 40) & (n - 1)];
    for (int spins = 0; ; ) {
      long ss = x.next;
      if (ss == CLOSED) {
        return RETRY; // parked: a collapse is under way
      }
      if (permits > x.size) {
        return SHORT;
      }
      long now = x.nowAfter(ss - 1, t);
      long at = now == UNREADABLE ? UNREADABLE : earliest(x, ss, permits, now);
      if (at == UNREADABLE) {
        waitBriefly(spins++);
        continue;
      }
      if (at != now) {
        return SHORT; // the stripe's share is used up (or a reservation is queued)
      }
      if (NEXT.compareAndSet(x, ss, ss + permits)) {
        for (long j = ss; j < ss + permits; j++) {
          x.publish(j, at, false);
        }
        return 0;
      }
      rehash(r); // another thread hashes to this stripe
      return RETRY;
    }
  }

  /**
   * Re-deals the threads over the stripes (any change of salt moves them). Racy increment is fine.
   * Bounded: with more threads than stripes sharing never stops, and every re-deal writes a field
   * all callers read.
   */
  private static void rehash(Ring r) {
    int salt = r.salt;
    if (salt < MAX_REHASHES) {
      r.salt = salt + 1;
    }
  }

  /** Re-deals per split log (see {@link #rehash}). */
  private static final int MAX_REHASHES = 64;

  /**
   * Splits the single log into stripes if it is not busy, has no reservation queued past {@code t}
   * and has at least {@code splitThreshold} free permits at {@code t}. Test hook.
   *
   * @param t the time
   * @return whether this call split the log
   */
  boolean expandAt(long t) {
    Ring r = ring;
    for (int spins = 0; ; ) {
      long s = r.next;
      if (s == CLOSED) {
        r = successorOf(r);
      } else if (s == STRIPED) {
        return false;
      } else if (s >= 0) {
        int result = expand(r, s, t);
        if (result != EXPAND_RETRY) {
          return result == EXPAND_DONE;
        }
        waitBriefly(spins++);
      } else {
        waitBriefly(spins++);
      }
    }
  }

  private static final int EXPAND_DONE = 1;
  private static final int EXPAND_NO = 0;
  private static final int EXPAND_RETRY = -1;

  /**
   * Splits the single log at {@code next == s}: {@link #EXPAND_DONE}, {@link #EXPAND_NO} if it
   * should not split (ineligible, a reservation queued, too few free permits) or {@link
   * #EXPAND_RETRY} if an admission is still being published or {@code next} moved on.
   */
  private static int expand(Ring r, long s, long t) {
    if (r.stripeCount == 0) {
      return EXPAND_NO;
    }
    // A racing caller's reading may be older than the last admission: adopt that time (as
    // reserveAt does); a reservation queued past it keeps the log single.
    long now = s > 0 ? r.nowAfter(s - 1, t) : t;
    long last = s > 0 ? r.timeOf(s - 1) : NEVER;
    long k = s - r.size + r.splitThreshold - 1; // the oldest admission a split needs gone
    long old = k >= 0 ? r.timeOf(k) : NEVER;
    if (now == UNREADABLE || last == UNREADABLE || old == UNREADABLE) {
      return EXPAND_RETRY;
    }
    if (last > now || old > now - r.window) {
      return EXPAND_NO;
    }
    if (!NEXT.compareAndSet(r, s, BUSY)) {
      return EXPAND_RETRY;
    }
    int n = r.stripeCount;
    Ring[] st = r.stripes;
    if (st == null) {
      st = new Ring[n];
      for (int i = 0; i < n; i++) {
        st[i] = new Ring(r.window, r.quota(i), CLOSED);
      }
      r.stripes = st; // published by the volatile write of STRIPED below
    }
    // Deal the last `size` admissions round-robin in time order: stripe i gets exactly its quota,
    // sorted, and the free (oldest) ones spread evenly.
    for (int k2 = 0; k2 < r.size; k2++) {
      long j = s - r.size + k2;
      long time = NEVER;
      boolean reserved = false;
      if (j >= 0) {
        for (int i = 0; (time = r.timeOf(j)) == UNREADABLE; i++) {
          waitBriefly(i); // its writer won the CAS before we took the log; wait for its store
        }
        reserved = r.reserved(j);
      }
      Ring x = st[k2 % n];
      x.publish(x.parkedAt + k2 / n, time, reserved);
    }
    r.splitAt = s;
    for (int i = 0; i < n; i++) {
      st[i].next = st[i].parkedAt + st[i].size;
    }
    r.next = STRIPED;
    return EXPAND_DONE;
  }

  /**
   * Collapses the stripes back into the single log (merging their rings in time order), unless
   * another thread is already doing it.
   */
  private static void collapse(Ring r) {
    if (!NEXT.compareAndSet(r, STRIPED, BUSY)) {
      return;
    }
    Ring[] st = r.stripes;
    int n = r.stripeCount;
    long admitted = 0;
    for (int i = 0; i < n; i++) {
      Ring x = st[i];
      long ss = (long) NEXT.getAndSet(x, CLOSED);
      admitted += ss - (x.parkedAt + x.size);
      x.parkedAt = ss;
      x.cursor = ss - x.size;
    }
    long s = r.splitAt + admitted;
    // Each stripe keeps its last quota admissions; older ones are out of every window from now
    // on (the stripe admitted its newer ones only after they had left), so the merged `size`
    // admissions decide exactly as the whole history does.
    for (int m = 0; m < r.size; m++) {
      Ring best = null;
      long bestTime = 0;
      for (int i = 0; i < n; i++) {
        Ring x = st[i];
        if (x.cursor < x.parkedAt) {
          long time;
          for (int w = 0; (time = x.timeOf(x.cursor)) == UNREADABLE; w++) {
            waitBriefly(w); // its writer won the CAS before we parked; wait for its store
          }
          if (best == null || time < bestTime) {
            best = x;
            bestTime = time;
          }
        }
      }
      long j = s - r.size + m;
      if (j >= 0) {
        r.publish(j, bestTime, best.reserved(best.cursor));
      }
      best.cursor++;
    }
    r.next = s;
  }

  /**
   * The earliest time permits {@code [s, s + n)} can be granted: not before {@code t}, not before
   * the previous admission, and not before admission {@code s + n - 1 - size} leaves the window.
   */
  private static long earliest(Ring r, long s, long n, long t) {
    long at = t;
    if (s > 0) {
      long last = r.timeOf(s - 1);
      if (last == UNREADABLE) {
        return UNREADABLE;
      }
      at = Math.max(at, last);
    }
    long k = s + n - 1 - r.size;
    if (k >= 0) {
      long old = r.timeOf(k);
      if (old == UNREADABLE) {
        return UNREADABLE;
      }
      at = Math.max(at, old + r.window);
    }
    return at;
  }

  @Override
  protected long nanosUntilAvailableAt(long permits, long t) {
    for (int spins = 0; ; ) {
      Ring r = ring;
      long s = r.next;
      if (s == STRIPED) {
        collapse(r); // queries answer on the single log
        continue;
      }
      long now = s < 0 ? UNREADABLE : s > 0 ? r.nowAfter(s - 1, t) : t;
      long at = now == UNREADABLE ? UNREADABLE : earliest(r, s, permits, now);
      if (at != UNREADABLE) {
        return Math.max(0, at - now);
      }
      waitBriefly(spins++);
    }
  }

  @Override
  protected long availablePermitsAt(long t) {
    int spins = 0;
    outer:
    for (; ; ) {
      Ring r = ring;
      long s = r.next;
      if (s == STRIPED) {
        collapse(r); // queries answer on the single log
        continue;
      }
      if (s < 0) {
        waitBriefly(spins++);
        continue;
      }
      long now = s > 0 ? r.nowAfter(s - 1, t) : t;
      if (now == UNREADABLE) {
        waitBriefly(spins++);
        continue;
      }
      long inWindow = 0;
      for (long j = s - 1; j >= 0 && j >= s - r.size; j--) {
        long time = r.timeOf(j);
        if (time == UNREADABLE) {
          waitBriefly(spins++);
          continue outer;
        }
        if (time > now) {
          return 0; // a reservation is queued ahead of any caller
        }
        if (time <= now - r.window) {
          break; // times only decrease from here
        }
        inWindow++;
      }
      return r.size - inWindow;
    }
  }

  @Override
  protected void reconfigureAt(RateLimiterConfig oldConfig, RateLimiterConfig newConfig, long t) {
    Ring old = ring;
    long s;
    for (int spins = 0; ; ) {
      s = old.next;
      if (s == STRIPED) {
        collapse(old);
      } else if (s == BUSY) {
        waitBriefly(spins++);
      } else if (NEXT.compareAndSet(old, s, CLOSED)) {
        break;
      }
    }
    int size = (int) newConfig.limit();
    long keep = Math.min(s, Math.min(old.size, size));
    Ring fresh = newRing(newConfig, keep);
    for (long j = s - keep; j < s; j++) {
      long time;
      for (int i = 0; (time = old.timeOf(j)) == UNREADABLE; i++) {
        waitBriefly(i); // its writer won the CAS before we closed; wait for its store
      }
      fresh.publish(j - (s - keep), time, old.reserved(j));
    }
    ring = fresh;
  }

  private Ring successorOf(Ring closed) {
    Ring r;
    for (int i = 0; (r = ring) == closed; i++) {
      waitBriefly(i);
    }
    return r;
  }
}
