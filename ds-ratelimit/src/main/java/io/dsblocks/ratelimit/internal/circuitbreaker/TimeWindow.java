package io.dsblocks.ratelimit.internal.circuitbreaker;

import io.dsblocks.ratelimit.Ticker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The outcomes of the last {@code size} seconds in per-second buckets of atomics, plus running
 * totals. Each bucket packs calls (bits 0-30) and failures (bits 32-62) into one word; the totals
 * word has the same layout plus the {@link #SEALED} bit. Slow calls have their own counters,
 * touched only by slow calls.
 *
 * <p>The thread that moves the head second forward zeroes the buckets that fall out of the window
 * with {@code getAndSet(0)} and subtracts exactly what it removed from the totals, so the totals
 * always converge to the sum of the buckets. A call recorded by another thread at the very moment
 * its bucket is recycled can be dropped from both (never double-counted): that is the documented
 * approximation of this window.
 */
final class TimeWindow extends SlidingWindow {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long CALL = 1L;
  private static final long FAILED_CALL = 1L | (1L << 32);
  private static final long FIELD_MASK = (1L << 31) - 1;

  private final int size;
  private final Ticker ticker;
  private final AtomicLongArray buckets;
  private final AtomicLongArray slowBuckets;
  private final AtomicLong head;
  private final AtomicLong totals = new AtomicLong();
  private final AtomicLong slowTotal = new AtomicLong();

  TimeWindow(int seconds, Ticker ticker) {
    this.size = seconds;
    this.ticker = ticker;
    this.buckets = new AtomicLongArray(seconds);
    this.slowBuckets = new AtomicLongArray(seconds);
    this.head = new AtomicLong(Math.floorDiv(ticker.read(), NANOS_PER_SECOND));
  }

  @Override
  boolean record(int outcome, Settings s, boolean mayTrip) {
    if (totals.get() < 0) {
      return false; // sealed
    }
    long second = advance();
    int index = (int) Math.floorMod(second, (long) size);
    long delta = failed(outcome) ? FAILED_CALL : CALL;
    buckets.getAndAdd(index, delta);
    long slow;
    if (slow(outcome)) {
      slowBuckets.getAndIncrement(index);
      slow = slowTotal.incrementAndGet();
    } else {
      slow = slowTotal.get();
    }
    for (; ; ) {
      long t = totals.get();
      if (t < 0) {
        return false;
      }
      long next = t + delta;
      boolean trip = mayTrip && tripped(next, slow, s);
      if (totals.compareAndSet(t, trip ? next | SEALED : next)) {
        return trip;
      }
    }
  }

  private static boolean tripped(long t, long slow, Settings s) {
    long failures = (t >>> 32) & FIELD_MASK;
    if (failures == 0 && slow == 0) {
      return false;
    }
    long calls = t & 0xFFFF_FFFFL;
    if (calls > FIELD_MASK || failures > calls || slow > calls) {
      return false; // transiently inconsistent reading; the next call decides
    }
    return exceeds(calls, failures, slow, s.minCalls, s);
  }

  /** Moves the head to the current second, recycling expired buckets; returns the second to use. */
  private long advance() {
    long now = Math.floorDiv(ticker.read(), NANOS_PER_SECOND);
    long h = head.get();
    if (now <= h) {
      // A thread that read the clock just before another advanced the head still lands in a
      // live bucket unless it is a whole window behind.
      return h - now >= size ? h : now;
    }
    if (head.compareAndSet(h, now)) {
      long from = Math.max(h + 1, now - size + 1);
      for (long sec = from; sec <= now; sec++) {
        int i = (int) Math.floorMod(sec, (long) size);
        long removed = buckets.getAndSet(i, 0);
        if (removed != 0) {
          totals.addAndGet(-removed);
        }
        long removedSlow = slowBuckets.getAndSet(i, 0);
        if (removedSlow != 0) {
          slowTotal.addAndGet(-removedSlow);
        }
      }
    }
    return now;
  }

  @Override
  boolean isSealed() {
    return totals.get() < 0;
  }

  @Override
  long[] snapshot() {
    if (!isSealed()) {
      advance();
    }
    long t = totals.get() & ~SEALED;
    return new long[] {t & 0xFFFF_FFFFL, (t >>> 32) & FIELD_MASK, slowTotal.get()};
  }

  @Override
  boolean sameShape(Settings s) {
    return s.windowType == SlidingWindowType.TIME_BASED && s.windowSize == size;
  }
}
