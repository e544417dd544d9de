package io.dsblocks.cache.internal.tier;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lets {@code close()} wait for the operations that are running on off-heap memory before that
 * memory is unmapped. Reading a Chronicle Map after its memory is released can crash the JVM rather
 * than throw, so "closed" must mean "no operation is still inside".
 *
 * <p>Each operation counts itself in and out of one stripe chosen by its thread, so threads rarely
 * share a counter. An operation increments and decrements the <em>same</em> stripe: then a stripe
 * that reads zero after {@code closed} was set has nobody inside it (an increment made before the
 * operation saw {@code closed == false} is visible to the closer, because both are volatile
 * accesses in one total order; an operation that incremented later sees {@code closed} and backs
 * out without touching the map).
 *
 * <p>Thread-safe.
 */
public final class InFlightGuard {
  private static final int STRIPES = 16; // a power of two
  private static final int PAD = 16; // 16 longs = 128 bytes apart: no false sharing

  private final AtomicLongArray counts = new AtomicLongArray(STRIPES * PAD);
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;

  /**
   * Enters an operation.
   *
   * @return the slot to pass to {@link #exit}, or -1 if the guard is closed (do not call exit then)
   */
  public int enter() {
    if (closed) {
      return -1;
    }
    int slot = (int) (Thread.currentThread().getId() & (STRIPES - 1)) * PAD;
    counts.getAndIncrement(slot);
    if (closed) {
      counts.getAndDecrement(slot);
      return -1;
    }
    return slot;
  }

  /**
   * Leaves an operation entered with {@link #enter}.
   *
   * @param slot the slot {@link #enter} returned
   */
  public void exit(int slot) {
    counts.getAndDecrement(slot);
  }

  /**
   * Closes the guard and waits until no operation is inside.
   *
   * @return true for the call that closed it, false if it was already closing or closed
   */
  public boolean close() {
    if (!closing.compareAndSet(false, true)) {
      return false;
    }
    closed = true;
    for (int i = 0; i < STRIPES; i++) {
      // Operations are short (one map access), so a yielding spin is enough.
      while (counts.get(i * PAD) != 0) {
        Thread.yield();
      }
    }
    return true;
  }

  /**
   * Returns whether {@link #close} has been called.
   *
   * @return true once closing started
   */
  public boolean isClosed() {
    return closed;
  }
}
