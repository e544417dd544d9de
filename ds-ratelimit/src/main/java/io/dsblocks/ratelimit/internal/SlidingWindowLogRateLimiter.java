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
 * <p>Memory: 16 bytes per permit of limit. No allocation per call. Thread-safe.
 */
public final class SlidingWindowLogRateLimiter extends AbstractRateLimiter {

  private static final long UNREADABLE = Long.MIN_VALUE;

  /** Ring, window and counter; replaced as a whole on reconfiguration. */
  static final class Ring {
    final long window;
    final int size;

    /**
     * Slot {@code i} is {@code slots[2i]} (time) and {@code slots[2i + 1]} (stamp: the admission
     * number + 1 that wrote it, shifted left once, low bit set for a reservation, that is, a time
     * later than its caller's clock reading); interleaved so a slot is one cache line fetch.
     */
    final long[] slots;

    @SuppressWarnings("unused") // accessed through NEXT
    volatile long next;

    Ring(long window, int size, long next) {
      this.window = window;
      this.size = size;
      this.slots = new long[2 * size];
      this.next = next;
    }

    /** Time of admission {@code j}, or {@link #UNREADABLE} if its slot holds another admission. */
    long timeOf(long j) {
      int i = 2 * (int) (j % size);
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
      int i = 2 * (int) (j % size);
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
      return ((long) SLOTS.getAcquire(slots, 2 * (int) (j % size) + 1) & 1) != 0;
    }

    void publish(long j, long time, boolean reserved) {
      int i = 2 * (int) (j % size);
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
      NEXT = MethodHandles.lookup().findVarHandle(Ring.class, "next", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Ring ring;

  /**
   * Creates the limiter with an empty log.
   *
   * @param config a SLIDING_WINDOW_LOG configuration
   */
  public SlidingWindowLogRateLimiter(RateLimiterConfig config) {
    super(config);
    this.ring = new Ring(config.period().toNanos(), (int) config.limit(), 0);
  }

  @Override
  protected long reserveAt(long permits, long t, long maxWait) {
    Ring r = ring;
    for (int spins = 0; ; ) {
      long s = r.next;
      if (s == CLOSED) {
        r = successorOf(r);
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
    }
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
      long now = s == CLOSED ? UNREADABLE : s > 0 ? r.nowAfter(s - 1, t) : t;
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
      if (s == CLOSED) {
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
    do {
      s = old.next;
    } while (!NEXT.compareAndSet(old, s, CLOSED));
    int size = (int) newConfig.limit();
    long keep = Math.min(s, Math.min(old.size, size));
    Ring fresh = new Ring(newConfig.period().toNanos(), size, keep);
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
