package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A re-armable deadline on an event loop that does not touch the loop's timer queue on every arm
 * and disarm: a keep-alive connection arms and disarms its timeouts once or twice per request, and
 * scheduling plus cancelling a task each time showed up as several percent of the proxy's CPU
 * (priority-queue insertions and removals). Instead one task stays scheduled; disarming only clears
 * the deadline, and re-arming with a later deadline reuses the pending task, which, when it fires
 * early, simply reschedules itself for the remaining time (the same trick as Netty's
 * IdleStateHandler).
 *
 * <p>Uses {@link System#nanoTime()}: event-loop timers run on real time, so an injected ticker
 * could not make them fire earlier anyway.
 *
 * <p>Not thread-safe: confined to its event loop.
 */
final class LazyTimer implements Runnable {
  private static final long DISARMED = Long.MAX_VALUE;

  private final EventExecutor executor;
  private final Runnable onExpiry;
  private long deadline = DISARMED;
  private ScheduledFuture<?> task;
  private long taskDeadline;
  private boolean stopped;

  LazyTimer(EventExecutor executor, Runnable onExpiry) {
    this.executor = executor;
    this.onExpiry = onExpiry;
  }

  /** Fires {@code onExpiry} after {@code nanos} unless disarmed or re-armed first. */
  void arm(long nanos) {
    if (stopped) {
      return;
    }
    long now = System.nanoTime();
    deadline = now + nanos;
    if (task == null || taskDeadline > deadline) {
      if (task != null) {
        task.cancel(false);
      }
      schedule(now, deadline);
    }
  }

  /** Forgets the deadline (the pending task, if any, will find nothing to do). */
  void disarm() {
    deadline = DISARMED;
  }

  /** Whether a deadline is set. */
  boolean armed() {
    return deadline != DISARMED;
  }

  /** Disarms for good and cancels the pending task (the connection is gone). */
  void stop() {
    stopped = true;
    deadline = DISARMED;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private void schedule(long now, long at) {
    taskDeadline = at;
    task = executor.schedule(this, at - now, TimeUnit.NANOSECONDS);
  }

  @Override
  public void run() {
    task = null;
    if (deadline == DISARMED || stopped) {
      return;
    }
    long now = System.nanoTime();
    if (now - deadline >= 0) {
      deadline = DISARMED;
      onExpiry.run();
    } else {
      schedule(now, deadline);
    }
  }
}
