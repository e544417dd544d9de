package io.dsblocks.benchmarks.storage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Bytes processed per CPU-second of the benchmark thread, printed after each iteration as {@code
 * [cpu] <label>: N MiB per CPU-second}. JMH's score is wall-clock, which on a shared,
 * oversubscribed machine measures the share of a core the benchmark got, not the cost of the code;
 * thread CPU time is the per-core cost the speed budget is about. Both are reported; neither
 * replaces the other.
 *
 * <p>Not thread-safe: one per benchmark thread ({@code Scope.Thread} state).
 */
final class CpuMeter {

  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

  private long threadId = -1;
  private long cpuStart;
  private long bytes;

  /** Forgets the previous iteration. */
  void reset() {
    threadId = -1;
    bytes = 0;
  }

  /** Counts bytes; the first call of an iteration also starts the CPU clock on this thread. */
  void add(long n) {
    if (threadId < 0) {
      threadId = Thread.currentThread().getId();
      cpuStart = MX.getCurrentThreadCpuTime();
    }
    bytes += n;
  }

  /** Prints this iteration's bytes per CPU-second. */
  void report(String label) {
    if (threadId < 0) {
      return;
    }
    long cpuNanos = MX.getThreadCpuTime(threadId) - cpuStart;
    System.out.printf(
        "[cpu] %s: %.0f MiB per CPU-second%n", label, bytes / 1048576.0 / (cpuNanos / 1e9));
  }
}
