package io.dsblocks.ratelimit.retry;

import io.dsblocks.ratelimit.Ticker;
import io.dsblocks.ratelimit.retry.RetryListener.GiveUpReason;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Re-runs a failed call with exponential backoff and jitter, within a maximum number of attempts, a
 * maximum total time and (optionally) a shared {@link RetryBudget}; see {@link RetryConfig}.
 *
 * <p>Synchronous calls wait on the calling thread through the {@link Sleeper} (tests inject one
 * that advances a manual ticker); asynchronous calls schedule the next attempt on a caller-supplied
 * {@link ScheduledExecutorService}, never on a hidden pool. An interrupt while waiting ends the
 * loop: the last failure is thrown with the {@link InterruptedException} attached as suppressed,
 * and the thread's interrupt flag is set again.
 *
 * <p>Thread-safe: one instance may serve any number of concurrent calls; each call keeps its
 * attempt state on its own stack.
 */
public final class Retry {
  private static final RetryListener[] NO_LISTENERS = {};

  /** Waits between attempts of synchronous calls. Implementations must be thread-safe. */
  @FunctionalInterface
  public interface Sleeper {
    /**
     * Waits for {@code nanos}.
     *
     * @param nanos the wait, at least 0
     * @throws InterruptedException if interrupted
     */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Returns the real sleeper, parking the thread.
     *
     * @return a sleeper based on {@link LockSupport#parkNanos(long)}
     */
    static Sleeper parking() {
      return nanos -> {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
          LockSupport.parkNanos(left);
          if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while waiting to retry");
          }
        }
      };
    }
  }

  private final String name;
  private final RetryConfig config;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private final LongAdder calls = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder okFirst = new LongAdder();
  private final LongAdder okAfterRetry = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder budgetDenied = new LongAdder();
  private volatile RetryListener[] listeners = NO_LISTENERS;

  private Retry(
      String name, RetryConfig config, Ticker ticker, Sleeper sleeper, RandomGenerator r) {
    this.name = name;
    this.config = config;
    this.ticker = ticker;
    this.sleeper = sleeper;
    this.random = r;
  }

  /**
   * Creates a retry with the system ticker, a parking sleeper and thread-local randomness.
   *
   * @param name the name, used in events
   * @param config the configuration
   * @return the retry
   */
  public static Retry of(String name, RetryConfig config) {
    return builder(name).config(config).build();
  }

  /**
   * Returns a builder, for injecting time, sleeping and randomness (tests).
   *
   * @param name the name
   * @return a new builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns the name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  public RetryConfig config() {
    return config;
  }

  /**
   * Computes the wait before the next attempt.
   *
   * @param attempt the attempt that just failed, starting at 1
   * @param previousWaitNanos the previous wait (0 before the first retry)
   * @return the wait in nanoseconds
   */
  public long backoffNanos(int attempt, long previousWaitNanos) {
    long initial = config.initialBackoffNanos();
    long max = config.maxBackoffNanos();
    RandomGenerator r = random != null ? random : java.util.concurrent.ThreadLocalRandom.current();
    switch (config.jitter()) {
      case DECORRELATED:
        {
          long prev = Math.max(previousWaitNanos, initial);
          long upper = prev > max / 3 ? max : prev * 3;
          return upper <= initial ? initial : initial + r.nextLong(upper - initial + 1);
        }
      case FULL:
        return r.nextLong(exponential(attempt, initial, max) + 1);
      default:
        return exponential(attempt, initial, max);
    }
  }

  private long exponential(int attempt, long initial, long max) {
    double b = initial * Math.pow(config.multiplier(), attempt - 1);
    return b >= max ? max : (long) b;
  }

  /**
   * Runs {@code callable}, retrying according to the configuration.
   *
   * @param callable the call
   * @param <T> result type
   * @return the first non-retryable result (or the last result when attempts run out)
   * @throws Exception the last failure when giving up
   */
  public <T> T executeCallable(Callable<T> callable) throws Exception {
    calls.increment();
    RetryBudget budget = config.budget();
    if (budget != null) {
      budget.onRequest();
    }
    // The start time only serves maxTotalTime: without it, skip the clock read.
    long start = config.maxTotalTimeNanos() > 0 ? ticker.read() : 0L;
    long wait = 0;
    for (int attempt = 1; ; attempt++) {
      T result = null;
      Exception failure = null;
      try {
        result = callable.call();
        if (!config.retryOnResult().test(result)) {
          succeeded(attempt);
          return result;
        }
      } catch (Exception e) {
        if (!config.retryOnException().test(e)) {
          gaveUp(attempt, GiveUpReason.NOT_RETRYABLE, e);
          throw e;
        }
        failure = e;
      }
      GiveUpReason stop = null;
      if (attempt >= config.maxAttempts()) {
        stop = GiveUpReason.MAX_ATTEMPTS;
      } else {
        wait = backoffNanos(attempt, wait);
        stop = mayRetry(start, wait);
      }
      if (stop == null) {
        fireRetry(attempt, wait, failure);
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          stop = GiveUpReason.INTERRUPTED;
          if (failure != null) {
            failure.addSuppressed(ie);
          }
        }
      }
      if (stop != null) {
        gaveUp(attempt, stop, failure);
        if (failure != null) {
          throw failure;
        }
        return result;
      }
    }
  }

  /**
   * Runs {@code supplier}, retrying according to the configuration.
   *
   * @param supplier the call
   * @param <T> result type
   * @return the result
   */
  public <T> T executeSupplier(Supplier<T> supplier) {
    try {
      return executeCallable(supplier::get);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CompletionException(e); // unreachable: a Supplier throws no checked exceptions
    }
  }

  /**
   * Runs an asynchronous call, scheduling retries on {@code scheduler}.
   *
   * @param scheduler runs the delayed attempts
   * @param supplier starts one attempt
   * @param <T> result type
   * @return a future of the final outcome
   */
  public <T> CompletableFuture<T> executeCompletionStage(
      ScheduledExecutorService scheduler, Supplier<? extends CompletionStage<T>> supplier) {
    Objects.requireNonNull(scheduler, "scheduler must not be null");
    calls.increment();
    RetryBudget budget = config.budget();
    if (budget != null) {
      budget.onRequest();
    }
    CompletableFuture<T> promise = new CompletableFuture<>();
    long start = config.maxTotalTimeNanos() > 0 ? ticker.read() : 0L; // only maxTotalTime needs it
    attemptAsync(scheduler, supplier, promise, 1, start, 0);
    return promise;
  }

  private <T> void attemptAsync(
      ScheduledExecutorService scheduler,
      Supplier<? extends CompletionStage<T>> supplier,
      CompletableFuture<T> promise,
      int attempt,
      long start,
      long previousWait) {
    CompletionStage<T> stage;
    try {
      stage = supplier.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (result, error) -> {
          Throwable failure = unwrap(error);
          if (failure == null && !config.retryOnResult().test(result)) {
            succeeded(attempt);
            promise.complete(result);
            return;
          }
          if (failure != null && !config.retryOnException().test(failure)) {
            gaveUp(attempt, GiveUpReason.NOT_RETRYABLE, failure);
            promise.completeExceptionally(failure);
            return;
          }
          GiveUpReason stop;
          long wait = 0;
          if (attempt >= config.maxAttempts()) {
            stop = GiveUpReason.MAX_ATTEMPTS;
          } else {
            wait = backoffNanos(attempt, previousWait);
            stop = mayRetry(start, wait);
          }
          if (stop != null) {
            gaveUp(attempt, stop, failure);
            if (failure != null) {
              promise.completeExceptionally(failure);
            } else {
              promise.complete(result);
            }
            return;
          }
          fireRetry(attempt, wait, failure);
          long w = wait;
          try {
            scheduler.schedule(
                () -> attemptAsync(scheduler, supplier, promise, attempt + 1, start, w),
                wait,
                TimeUnit.NANOSECONDS);
          } catch (RuntimeException rejected) {
            if (failure != null) {
              failure.addSuppressed(rejected);
              promise.completeExceptionally(failure);
            } else {
              promise.completeExceptionally(rejected);
            }
          }
        });
  }

  private static Throwable unwrap(Throwable t) {
    if (t instanceof CompletionException && t.getCause() != null) {
      return t.getCause();
    }
    return t;
  }

  /** Returns null if a retry after {@code wait} is allowed, else the reason it is not. */
  private GiveUpReason mayRetry(long start, long wait) {
    long maxTotal = config.maxTotalTimeNanos();
    if (maxTotal > 0 && ticker.read() - start + wait > maxTotal) {
      return GiveUpReason.MAX_TOTAL_TIME;
    }
    RetryBudget budget = config.budget();
    if (budget != null && !budget.tryAcquireRetry()) {
      budgetDenied.increment();
      return GiveUpReason.BUDGET_EXHAUSTED;
    }
    retries.increment();
    return null;
  }

  private void succeeded(int attempts) {
    (attempts == 1 ? okFirst : okAfterRetry).increment();
    for (RetryListener l : listeners) {
      try {
        l.onSuccess(name, attempts);
      } catch (RuntimeException ignored) {
        // a listener must not break the call
      }
    }
  }

  private void gaveUp(int attempts, GiveUpReason reason, Throwable failure) {
    failed.increment();
    for (RetryListener l : listeners) {
      try {
        l.onGiveUp(name, attempts, reason, failure);
      } catch (RuntimeException ignored) {
        // a listener must not break the call
      }
    }
  }

  private void fireRetry(int attempt, long wait, Throwable failure) {
    for (RetryListener l : listeners) {
      try {
        l.onRetry(name, attempt, wait, failure);
      } catch (RuntimeException ignored) {
        // a listener must not break the call
      }
    }
  }

  /**
   * Registers a listener; costs nothing while none is registered.
   *
   * @param listener the listener
   */
  public synchronized void addListener(RetryListener listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    RetryListener[] next = Arrays.copyOf(listeners, listeners.length + 1);
    next[next.length - 1] = listener;
    listeners = next;
  }

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  public synchronized void removeListener(RetryListener listener) {
    listeners = Arrays.stream(listeners).filter(l -> l != listener).toArray(RetryListener[]::new);
  }

  /**
   * Returns the counters since creation.
   *
   * @return the snapshot
   */
  public RetryStats stats() {
    return new RetryStats(
        calls.sum(),
        retries.sum(),
        okFirst.sum(),
        okAfterRetry.sum(),
        failed.sum(),
        budgetDenied.sum());
  }

  @Override
  public String toString() {
    return "Retry{" + name + ", " + config + '}';
  }

  /** Builds a {@link Retry}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private RetryConfig config = RetryConfig.ofDefaults();
    private Ticker ticker = Ticker.system();
    private Sleeper sleeper = Sleeper.parking();
    private RandomGenerator random;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the configuration.
     *
     * @param config not null
     * @return this builder
     */
    public Builder config(RetryConfig config) {
      this.config = config;
      return this;
    }

    /**
     * Sets the time source for the maximum total time.
     *
     * @param ticker not null
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /**
     * Sets how synchronous calls wait between attempts.
     *
     * @param sleeper not null
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /**
     * Sets the randomness for jitter (default: {@link java.util.concurrent.ThreadLocalRandom}).
     * Must be thread-safe if the retry is shared, e.g. a seeded {@link java.util.Random}.
     *
     * @param random not null
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random must not be null");
      return this;
    }

    /**
     * Builds the retry.
     *
     * @return the retry
     */
    public Retry build() {
      Objects.requireNonNull(name, "name must not be null");
      Objects.requireNonNull(config, "config must not be null");
      Objects.requireNonNull(ticker, "ticker must not be null");
      Objects.requireNonNull(sleeper, "sleeper must not be null");
      return new Retry(name, config, ticker, sleeper, random);
    }
  }
}
