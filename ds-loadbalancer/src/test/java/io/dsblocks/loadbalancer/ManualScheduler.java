package io.dsblocks.loadbalancer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} driven by the test: tasks run on the test thread, in due-time
 * order, when {@link #advance(Duration)} moves the shared {@link FakeTicker} past their due time.
 * Supports what the health checker uses ({@code schedule(Runnable, delay, unit)}, {@code execute});
 * the rest throws.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {
  private final FakeTicker ticker;
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(
          (a, b) -> {
            int c = Long.compare(a.due - b.due, 0);
            return c != 0 ? c : Long.compare(a.seq, b.seq);
          });
  private final List<Long> delays = new ArrayList<>();
  private long sequence;
  private boolean shutdown;

  public ManualScheduler(FakeTicker ticker) {
    this.ticker = ticker;
  }

  /** Every delay ever requested, in nanoseconds, in request order. */
  public synchronized List<Long> delays() {
    return new ArrayList<>(delays);
  }

  /** Tasks scheduled and not yet run or cancelled. */
  public synchronized int pending() {
    return (int) queue.stream().filter(t -> !t.cancelled).count();
  }

  /** Moves time forward in due-time order, running every task due on the way. */
  public void advance(Duration d) {
    long end = ticker.read() + d.toNanos();
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due - end > 0) {
          break;
        }
        queue.poll();
      }
      long now = ticker.read();
      if (next.due - now > 0) {
        ticker.advance(Duration.ofNanos(next.due - now));
      }
      if (!next.cancelled) {
        next.done = true;
        next.task.run();
      }
    }
    long now = ticker.read();
    if (end - now > 0) {
      ticker.advance(Duration.ofNanos(end - now));
    }
  }

  /** Runs tasks due now (delay 0) without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    long nanos = unit.toNanos(delay);
    delays.add(nanos);
    Task t = new Task(command, ticker.read() + Math.max(0, nanos), sequence++);
    queue.add(t);
    return t;
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>();
    for (Task t : queue) {
      left.add(t.task);
    }
    queue.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  @Override
  public <T> List<java.util.concurrent.Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks) {
    throw new UnsupportedOperationException();
  }

  private final class Task implements ScheduledFuture<Object> {
    final Runnable task;
    final long due;
    final long seq;
    volatile boolean cancelled;
    volatile boolean done;

    Task(Runnable task, long due, long seq) {
      this.task = task;
      this.due = due;
      this.seq = seq;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - ticker.read(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      cancelled = true;
      return !done;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      return null;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return null;
    }
  }
}
