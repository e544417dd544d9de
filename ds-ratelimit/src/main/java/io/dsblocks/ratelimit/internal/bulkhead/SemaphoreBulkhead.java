package io.dsblocks.ratelimit.internal.bulkhead;

import io.dsblocks.ratelimit.bulkhead.Bulkhead;
import io.dsblocks.ratelimit.bulkhead.BulkheadConfig;
import io.dsblocks.ratelimit.bulkhead.BulkheadFullException;
import io.dsblocks.ratelimit.bulkhead.BulkheadListener;
import io.dsblocks.ratelimit.bulkhead.BulkheadStats;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A counting semaphore built on one {@link AtomicInteger} so the limit can change at runtime
 * ({@link java.util.concurrent.Semaphore} cannot shrink without blocking). Waiters park on a
 * condition; a releaser signals only when someone waits, so the common path takes no lock.
 * Thread-safe.
 */
public final class SemaphoreBulkhead implements Bulkhead {
  private static final BulkheadListener[] NO_LISTENERS = {};

  private final String name;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder permitted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition slotFreed = lock.newCondition();
  private volatile int waiters;
  private volatile BulkheadConfig config;
  private volatile int limit;
  private volatile BulkheadListener[] listeners = NO_LISTENERS;

  /**
   * Creates the bulkhead.
   *
   * @param name the name
   * @param config the configuration
   */
  public SemaphoreBulkhead(String name, BulkheadConfig config) {
    this.name = name;
    this.config = config;
    this.limit = config.maxConcurrentCalls();
  }

  @Override
  public String name() {
    return name;
  }

  private boolean tryTake() {
    for (int n = inFlight.get(); n < limit; n = inFlight.get()) {
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean tryAcquirePermission() {
    if (tryTake()) {
      permitted.increment();
      fire(0);
      return true;
    }
    rejected.increment();
    fire(1);
    return false;
  }

  @Override
  public void acquirePermission() {
    if (tryTake()) {
      permitted.increment();
      fire(0);
      return;
    }
    long waitNanos = config.maxWaitDuration().toNanos();
    if (waitNanos <= 0 || !awaitSlot(waitNanos)) {
      rejected.increment();
      fire(1);
      throw new BulkheadFullException(name, limit);
    }
    permitted.increment();
    fire(0);
  }

  private boolean awaitSlot(long nanos) {
    lock.lock();
    try {
      // Register as a waiter before re-checking, so a releaser that frees a slot after our check
      // is guaranteed to see us and signal (no lost wake-up).
      waiters++;
      try {
        while (!tryTake()) {
          if (nanos <= 0) {
            return false;
          }
          nanos = slotFreed.awaitNanos(nanos);
        }
        return true;
      } finally {
        waiters--;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onComplete() {
    int n = inFlight.decrementAndGet();
    if (n < 0) {
      inFlight.incrementAndGet();
      throw new IllegalStateException(
          "onComplete() called more often than permissions were granted on bulkhead '"
              + name
              + "'");
    }
    if (waiters > 0) {
      lock.lock();
      try {
        slotFreed.signal();
      } finally {
        lock.unlock();
      }
    }
    fire(2);
  }

  private void fire(int event) {
    BulkheadListener[] ls = listeners;
    if (ls.length == 0) {
      return;
    }
    for (BulkheadListener l : ls) {
      try {
        if (event == 0) {
          l.onCallPermitted(name);
        } else if (event == 1) {
          l.onCallRejected(name);
        } else {
          l.onCallFinished(name);
        }
      } catch (RuntimeException ignored) {
        // a listener must not break the protected call
      }
    }
  }

  @Override
  public int availableConcurrentCalls() {
    return limit - inFlight.get();
  }

  @Override
  public BulkheadConfig config() {
    return config;
  }

  @Override
  public void reconfigure(BulkheadConfig newConfig) {
    Objects.requireNonNull(newConfig, "newConfig must not be null");
    this.config = newConfig;
    this.limit = newConfig.maxConcurrentCalls();
    lock.lock();
    try {
      slotFreed.signalAll(); // a raised limit may admit waiters right away
    } finally {
      lock.unlock();
    }
  }

  @Override
  public synchronized void addListener(BulkheadListener listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    BulkheadListener[] next = Arrays.copyOf(listeners, listeners.length + 1);
    next[next.length - 1] = listener;
    listeners = next;
  }

  @Override
  public synchronized void removeListener(BulkheadListener listener) {
    BulkheadListener[] ls = listeners;
    for (int i = 0; i < ls.length; i++) {
      if (ls[i] == listener) {
        BulkheadListener[] next = new BulkheadListener[ls.length - 1];
        System.arraycopy(ls, 0, next, 0, i);
        System.arraycopy(ls, i + 1, next, i, ls.length - i - 1);
        listeners = next;
        return;
      }
    }
  }

  @Override
  public BulkheadStats stats() {
    return new BulkheadStats(limit, inFlight.get(), permitted.sum(), rejected.sum());
  }

  @Override
  public String toString() {
    return "Bulkhead{" + name + ", " + inFlight.get() + "/" + limit + '}';
  }
}
