package io.dsblocks.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntUnaryOperator;

/**
 * Test load for the exact-count concurrency tests: threads released together by a barrier, each
 * calling {@code tryAcquire} (or {@code reserve}) a fixed number of times, bounded in count and in
 * time (60 s), and a helper that keeps another thread looping (reconfiguring, splitting) while the
 * load runs.
 */
public final class LimiterHammer {
  private LimiterHammer() {}

  /** A thread's body; {@code thread} is its index. */
  @FunctionalInterface
  public interface ThreadBody {
    /** Runs on thread {@code thread}. */
    void run(int thread) throws Exception;
  }

  /** Runs {@code body} on {@code threads} threads released together; waits at most 60 s. */
  public static void onAllThreads(int threads, ThreadBody body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  body.run(index);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The permits admitted when {@code threads} threads each try {@code attempts} times, thread
   * {@code i} asking for {@code permitsOf.applyAsInt(i)} permits, and every 100th attempt of each
   * thread (from its first) also runs {@code extra}.
   */
  public static long admitted(
      RateLimiter limiter, int threads, int attempts, IntUnaryOperator permitsOf, Runnable extra)
      throws Exception {
    long[] perThread = new long[threads];
    onAllThreads(
        threads,
        thread -> {
          int permits = permitsOf.applyAsInt(thread);
          long admitted = 0;
          for (int a = 0; a < attempts; a++) {
            if (limiter.tryAcquire(permits)) {
              admitted += permits;
            }
            if (a % 100 == 0) {
              extra.run();
            }
          }
          perThread[thread] = admitted; // published by the future's completion
        });
    long total = 0;
    for (long p : perThread) {
      total += p;
    }
    return total;
  }

  /**
   * {@link #admitted(RateLimiter, int, int, IntUnaryOperator, Runnable)}: same permits, no extra.
   */
  public static long admitted(RateLimiter limiter, int threads, int attempts, int permits)
      throws Exception {
    return admitted(limiter, threads, attempts, t -> permits, () -> {});
  }

  /**
   * What {@link #reservations} saw: how many reservations were granted at once, and the waits of
   * those granted for later (positive nanoseconds, sorted ascending).
   */
  public record Reservations(long immediate, long[] waits) {}

  /**
   * {@code threads} threads each make {@code attempts} one-permit reservations with at most {@code
   * maxWaitNanos} of wait; refusals (negative results) are not counted.
   */
  public static Reservations reservations(
      RateLimiter limiter, int threads, int attempts, long maxWaitNanos) throws Exception {
    long[] immediate = new long[threads];
    long[][] waits = new long[threads][];
    onAllThreads(
        threads,
        thread -> {
          long[] mine = new long[attempts];
          int n = 0;
          for (int a = 0; a < attempts; a++) {
            long wait = limiter.reserve(1, maxWaitNanos);
            if (wait == 0) {
              immediate[thread]++;
            } else if (wait > 0) {
              mine[n++] = wait;
            }
          }
          waits[thread] = Arrays.copyOf(mine, n); // published by the future's completion
        });
    return new Reservations(
        Arrays.stream(immediate).sum(),
        Arrays.stream(waits).flatMapToLong(Arrays::stream).sorted().toArray());
  }

  /** What {@link #whileLooping} measured. */
  @FunctionalInterface
  public interface Load {
    /** Runs the load and returns the permits it got admitted. */
    long run() throws Exception;
  }

  /**
   * Runs {@code load} while another thread repeats {@code loop}; the load starts only once the loop
   * has run at least once (on a loaded machine it might otherwise never run during the load).
   * Asserts that it ran.
   *
   * @return what the load returned
   */
  public static long whileLooping(Runnable loop, Load load) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch looping = new CountDownLatch(1);
    Thread looper =
        new Thread(
            () -> {
              while (!stop.get()) {
                loop.run();
                looping.countDown();
              }
            });
    looper.start();
    long result;
    try {
      assertThat(looping.await(30, TimeUnit.SECONDS)).as("the loop ran").isTrue();
      result = load.run();
    } finally {
      stop.set(true);
      looper.join();
    }
    return result;
  }
}
