package io.dsblocks.ratelimit.internal.circuitbreaker;

import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last {@code size} outcomes as a ring of one-byte slots, with the totals packed into one
 * atomic word: calls in bits 0-20, failures in bits 21-41, slow calls in bits 42-62, and the {@link
 * #SEALED} bit.
 *
 * <p>Recording swaps the outcome into the next slot, then adds the difference between the new and
 * the evicted outcome to the totals with one compare-and-set, which also evaluates the thresholds
 * and seals the window if they are crossed. Until the ring wraps, that CAS is the linearization
 * point of the record. Once it wraps, two writers can apply their deltas in a different order than
 * they took their slots, so a reading may momentarily be off by the number of concurrent writers;
 * readings that are not internally consistent are never acted upon.
 *
 * <p>Fast path: when the window is full of fast successes, recording another fast success evicts a
 * fast success and changes nothing, so it is a single volatile read. A healthy service pays no
 * atomic write per call, and its cache line stays shared between cores.
 */
final class CountWindow extends SlidingWindow {
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(byte[].class);
  private static final VarHandle TOTALS;
  private static final int FAILURE_SHIFT = 21;
  private static final int SLOW_SHIFT = 42;
  private static final long FIELD_MASK = (1L << 21) - 1;

  static {
    try {
      TOTALS = MethodHandles.lookup().findVarHandle(CountWindow.class, "totals", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int size;
  private final byte[] slots;
  private final AtomicInteger cursor = new AtomicInteger();

  @SuppressWarnings("unused") // accessed through TOTALS
  private volatile long totals;

  CountWindow(int size) {
    this.size = size;
    this.slots = new byte[size];
  }

  private static long weight(int outcome) {
    return (outcome & 1L)
        | ((long) ((outcome >>> 1) & 1) << FAILURE_SHIFT)
        | ((long) ((outcome >>> 2) & 1) << SLOW_SHIFT);
  }

  @Override
  boolean record(int outcome, Settings s, boolean mayTrip) {
    long t = (long) TOTALS.getVolatile(this);
    if (outcome == SUCCESS && t == size) {
      return false; // full of fast successes: replacing one by another is a no-op
    }
    if (t < 0) {
      return false; // sealed: the breaker is opening, outcomes no longer matter
    }
    int index = Integer.remainderUnsigned(cursor.getAndIncrement(), size);
    int evicted = (byte) SLOTS.getAndSet(slots, index, (byte) outcome);
    long delta = weight(outcome) - weight(evicted);
    for (; ; ) {
      t = (long) TOTALS.getVolatile(this);
      if (t < 0) {
        return false;
      }
      long next = t + delta;
      boolean trip = mayTrip && (next & ~FIELD_MASK) != 0 && tripped(next, s);
      if (TOTALS.compareAndSet(this, t, trip ? next | SEALED : next)) {
        return trip;
      }
    }
  }

  private boolean tripped(long t, Settings s) {
    long calls = t & FIELD_MASK;
    long failures = (t >>> FAILURE_SHIFT) & FIELD_MASK;
    long slow = (t >>> SLOW_SHIFT) & FIELD_MASK;
    if (calls > size || failures > calls || slow > calls) {
      return false; // transiently inconsistent reading (see class comment); the next call decides
    }
    return exceeds(calls, failures, slow, s.minCalls, s);
  }

  @Override
  boolean isSealed() {
    return (long) TOTALS.getVolatile(this) < 0;
  }

  @Override
  long[] snapshot() {
    long t = (long) TOTALS.getVolatile(this) & ~SEALED;
    return new long[] {
      t & FIELD_MASK, (t >>> FAILURE_SHIFT) & FIELD_MASK, (t >>> SLOW_SHIFT) & FIELD_MASK
    };
  }

  @Override
  boolean sameShape(Settings s) {
    return s.windowType == SlidingWindowType.COUNT_BASED && s.windowSize == size;
  }
}
