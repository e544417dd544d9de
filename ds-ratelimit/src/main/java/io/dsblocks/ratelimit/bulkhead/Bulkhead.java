package io.dsblocks.ratelimit.bulkhead;

import io.dsblocks.ratelimit.internal.bulkhead.SemaphoreBulkhead;
import java.util.Objects;

/**
 * Caps the number of calls running at once, so one slow dependency cannot tie up every thread.
 *
 * <p>Low-level use: {@link #tryAcquirePermission()} (never blocks) or {@link #acquirePermission()}
 * (waits up to {@link BulkheadConfig#maxWaitDuration()}), then {@link #onComplete()} exactly once
 * per admitted call, in a {@code finally} block. High-level use: {@link
 * io.dsblocks.ratelimit.Decorators}.
 *
 * <p>Thread-safe. Admission without waiting is a lock-free compare-and-set on one counter; only
 * callers that choose to wait use a lock and condition.
 */
public interface Bulkhead {

  /**
   * Creates a semaphore bulkhead.
   *
   * @param name the name, used in exceptions and events
   * @param config the configuration
   * @return a new bulkhead
   */
  static Bulkhead of(String name, BulkheadConfig config) {
    Objects.requireNonNull(name, "name must not be null");
    Objects.requireNonNull(config, "config must not be null");
    return new SemaphoreBulkhead(name, config);
  }

  /**
   * Returns the name.
   *
   * @return the name
   */
  String name();

  /**
   * Takes a slot if one is free now.
   *
   * @return whether the call may proceed; if so, call {@link #onComplete()} afterwards
   */
  boolean tryAcquirePermission();

  /**
   * Takes a slot, waiting up to the configured maximum wait.
   *
   * @throws BulkheadFullException if no slot freed up in time, or the thread was interrupted while
   *     waiting (the interrupt flag is then set again)
   */
  void acquirePermission();

  /** Releases the slot taken by an admitted call. */
  void onComplete();

  /**
   * Returns the number of free slots.
   *
   * @return free slots; may be negative briefly after the limit was lowered
   */
  int availableConcurrentCalls();

  /**
   * Returns the configuration in force.
   *
   * @return the configuration
   */
  BulkheadConfig config();

  /**
   * Changes the limit and wait at runtime. Calls already running keep their slots; lowering the
   * limit below the number running only delays new admissions until enough have finished.
   *
   * @param newConfig the new configuration
   */
  void reconfigure(BulkheadConfig newConfig);

  /**
   * Registers a listener; costs nothing while none is registered.
   *
   * @param listener the listener
   */
  void addListener(BulkheadListener listener);

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  void removeListener(BulkheadListener listener);

  /**
   * Returns a snapshot of the counters.
   *
   * @return the snapshot
   */
  BulkheadStats stats();
}
