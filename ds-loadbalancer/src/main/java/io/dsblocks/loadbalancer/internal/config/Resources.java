package io.dsblocks.loadbalancer.internal.config;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runtime objects a configuration creates: the scheduler of its health checks. The scheduler is
 * created on first use and starts no thread until a task is scheduled (a {@link
 * ScheduledThreadPoolExecutor} creates its threads lazily), so validating a file starts nothing.
 * Not thread-safe.
 */
final class Resources {
  private ScheduledThreadPoolExecutor scheduler;

  ScheduledExecutorService scheduler() {
    if (scheduler == null) {
      AtomicInteger n = new AtomicInteger();
      scheduler =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "health-check-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      scheduler.setRemoveOnCancelPolicy(true);
    }
    return scheduler;
  }

  ScheduledExecutorService schedulerOrNull() {
    return scheduler;
  }
}
