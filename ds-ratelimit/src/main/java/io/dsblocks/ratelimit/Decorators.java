package io.dsblocks.ratelimit;

import io.dsblocks.ratelimit.adaptive.AdaptiveLimiter;
import io.dsblocks.ratelimit.bulkhead.Bulkhead;
import io.dsblocks.ratelimit.bulkhead.BulkheadFullException;
import io.dsblocks.ratelimit.circuitbreaker.CallNotPermittedException;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.dsblocks.ratelimit.retry.Retry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Wraps a call in any combination of retry, circuit breaker, rate limiter, bulkhead and adaptive
 * concurrency limiter, always composed in one fixed order regardless of the order of the {@code
 * with...} calls:
 *
 * <pre>
 *   Retry  →  CircuitBreaker  →  RateLimiter  →  Bulkhead  →  AdaptiveLimiter  →  your call
 *   (outermost)                                                    (innermost)
 * </pre>
 *
 * <p>Why this order:
 *
 * <ul>
 *   <li><b>Retry outermost</b>: every attempt is a new call that passes through all guards, so the
 *       breaker counts each attempt and the limiter charges each one; an open breaker or an empty
 *       limiter also stops a retry storm.
 *   <li><b>Circuit breaker before the rate limiter</b>: while the breaker is open, calls are
 *       refused without consuming rate-limit permits that healthy traffic could use.
 *   <li><b>Rate limiter before the bulkhead</b>: a call refused for rate never occupies a
 *       concurrency slot.
 *   <li><b>Bulkhead / adaptive limiter innermost</b>: a slot is held only while the call really
 *       runs, and the adaptive limiter measures the dependency's latency, not time spent queueing
 *       in outer layers.
 * </ul>
 *
 * <p>Refusals by the inner guards ({@link RequestNotPermitted}, {@link BulkheadFullException}) are
 * <em>not</em> counted as failures by the circuit breaker (they say nothing about the dependency);
 * its permission is released instead. Refusals are thrown as exceptions (for {@link
 * CompletionStage}s: returned as failed stages).
 *
 * <p>The circuit-breaker layer times each call with the breaker's ticker (two reads) only if the
 * breaker {@link CircuitBreaker#recordsCallDurations() records call durations}, i.e. has slow-call
 * detection on; otherwise it reports a duration of {@code 0} and reads no clock. Example:
 *
 * <pre>{@code
 * Supplier<String> guarded = Decorators.ofSupplier(() -> client.fetch())
 *     .withRetry(retry)
 *     .withCircuitBreaker(breaker)
 *     .withRateLimiter(limiter)
 *     .withBulkhead(bulkhead)
 *     .decorate();
 * }</pre>
 *
 * <p>The builders are not thread-safe; the decorated functions they produce are thread-safe if the
 * wrapped function is.
 */
public final class Decorators {
  private Decorators() {}

  /**
   * Starts decorating a {@link Supplier}.
   *
   * @param supplier the call
   * @param <T> result type
   * @return a builder
   */
  public static <T> ForSupplier<T> ofSupplier(Supplier<T> supplier) {
    return new ForSupplier<>(Objects.requireNonNull(supplier, "supplier must not be null"));
  }

  /**
   * Starts decorating a {@link Callable}.
   *
   * @param callable the call
   * @param <T> result type
   * @return a builder
   */
  public static <T> ForCallable<T> ofCallable(Callable<T> callable) {
    return new ForCallable<>(Objects.requireNonNull(callable, "callable must not be null"));
  }

  /**
   * Starts decorating a {@link Runnable}.
   *
   * @param runnable the call
   * @return a builder
   */
  public static ForRunnable ofRunnable(Runnable runnable) {
    return new ForRunnable(Objects.requireNonNull(runnable, "runnable must not be null"));
  }

  /**
   * Starts decorating an asynchronous call: a function starting work and returning its stage.
   *
   * @param supplier starts one call
   * @param <T> result type
   * @return a builder
   */
  public static <T> ForCompletionStage<T> ofCompletionStage(
      Supplier<? extends CompletionStage<T>> supplier) {
    return new ForCompletionStage<>(Objects.requireNonNull(supplier, "supplier must not be null"));
  }

  /**
   * The guards chosen so far; shared by all builders.
   *
   * @param <B> the concrete builder type, returned by the {@code with...} methods for chaining
   */
  public abstract static class Guards<B extends Guards<B>> {
    Retry retry;
    CircuitBreaker circuitBreaker;
    RateLimiter rateLimiter;
    long rateLimiterTimeoutNanos;
    Bulkhead bulkhead;
    AdaptiveLimiter.Partition adaptive;

    Guards() {}

    abstract B self();

    /**
     * Adds a retry (outermost layer).
     *
     * @param retry not null
     * @return this builder
     */
    public B withRetry(Retry retry) {
      this.retry = Objects.requireNonNull(retry, "retry must not be null");
      return self();
    }

    /**
     * Adds a circuit breaker.
     *
     * @param breaker not null
     * @return this builder
     */
    public B withCircuitBreaker(CircuitBreaker breaker) {
      this.circuitBreaker = Objects.requireNonNull(breaker, "circuitBreaker must not be null");
      return self();
    }

    /**
     * Adds a rate limiter taking one permit per call, without waiting.
     *
     * @param limiter not null
     * @return this builder
     */
    public B withRateLimiter(RateLimiter limiter) {
      return withRateLimiter(limiter, Duration.ZERO);
    }

    /**
     * Adds a rate limiter taking one permit per call, waiting up to {@code maxWait} for it
     * (synchronous calls only; asynchronous calls never wait).
     *
     * @param limiter not null
     * @param maxWait zero or positive
     * @return this builder
     */
    public B withRateLimiter(RateLimiter limiter, Duration maxWait) {
      this.rateLimiter = Objects.requireNonNull(limiter, "rateLimiter must not be null");
      Objects.requireNonNull(maxWait, "maxWait must not be null");
      if (maxWait.isNegative()) {
        throw new IllegalArgumentException("maxWait must be zero or positive, was " + maxWait);
      }
      this.rateLimiterTimeoutNanos = maxWait.toNanos();
      return self();
    }

    /**
     * Adds a bulkhead.
     *
     * @param bulkhead not null
     * @return this builder
     */
    public B withBulkhead(Bulkhead bulkhead) {
      this.bulkhead = Objects.requireNonNull(bulkhead, "bulkhead must not be null");
      return self();
    }

    /**
     * Adds an adaptive concurrency limiter (its default partition).
     *
     * @param limiter not null
     * @return this builder
     */
    public B withAdaptiveLimiter(AdaptiveLimiter limiter) {
      Objects.requireNonNull(limiter, "adaptiveLimiter must not be null");
      return withAdaptiveLimiter(limiter.defaultPartition());
    }

    /**
     * Adds one partition of an adaptive concurrency limiter.
     *
     * @param partition not null
     * @return this builder
     */
    public B withAdaptiveLimiter(AdaptiveLimiter.Partition partition) {
      this.adaptive = Objects.requireNonNull(partition, "partition must not be null");
      return self();
    }

    /** Composes synchronous layers in the documented order, innermost first. */
    <T> Callable<T> compose(Callable<T> call) {
      Callable<T> c = call;
      if (adaptive != null) {
        c = Layers.adaptive(adaptive, c);
      }
      if (bulkhead != null) {
        c = Layers.bulkhead(bulkhead, c);
      }
      if (rateLimiter != null) {
        c = Layers.rateLimiter(rateLimiter, rateLimiterTimeoutNanos, c);
      }
      if (circuitBreaker != null) {
        c = Layers.circuitBreaker(circuitBreaker, c);
      }
      if (retry != null) {
        Retry r = retry;
        Callable<T> inner = c;
        c = () -> r.executeCallable(inner);
      }
      return c;
    }
  }

  /**
   * Decorates a {@link Supplier}. Not thread-safe.
   *
   * @param <T> result type
   */
  public static final class ForSupplier<T> extends Guards<ForSupplier<T>> {
    private final Supplier<T> supplier;

    ForSupplier(Supplier<T> supplier) {
      this.supplier = supplier;
    }

    @Override
    ForSupplier<T> self() {
      return this;
    }

    /**
     * Returns the decorated supplier.
     *
     * @return a thread-safe supplier (if the original is)
     */
    public Supplier<T> decorate() {
      if (retry == null
          && rateLimiter == null
          && bulkhead == null
          && adaptive == null
          && circuitBreaker != null) {
        return Layers.circuitBreaker(circuitBreaker, supplier); // the common case, one layer less
      }
      Supplier<T> s = supplier;
      Callable<T> c = compose(s::get);
      return () -> Layers.callUnchecked(c);
    }

    /**
     * Decorates and runs once.
     *
     * @return the result
     */
    public T get() {
      return decorate().get();
    }
  }

  /**
   * Decorates a {@link Callable}. Not thread-safe.
   *
   * @param <T> result type
   */
  public static final class ForCallable<T> extends Guards<ForCallable<T>> {
    private final Callable<T> callable;

    ForCallable(Callable<T> callable) {
      this.callable = callable;
    }

    @Override
    ForCallable<T> self() {
      return this;
    }

    /**
     * Returns the decorated callable.
     *
     * @return a thread-safe callable (if the original is)
     */
    public Callable<T> decorate() {
      return compose(callable);
    }

    /**
     * Decorates and runs once.
     *
     * @return the result
     * @throws Exception what the call or a guard throws
     */
    public T call() throws Exception {
      return decorate().call();
    }
  }

  /** Decorates a {@link Runnable}. Not thread-safe. */
  public static final class ForRunnable extends Guards<ForRunnable> {
    private final Runnable runnable;

    ForRunnable(Runnable runnable) {
      this.runnable = runnable;
    }

    @Override
    ForRunnable self() {
      return this;
    }

    /**
     * Returns the decorated runnable.
     *
     * @return a thread-safe runnable (if the original is)
     */
    public Runnable decorate() {
      Runnable r = runnable;
      Callable<Void> c =
          compose(
              () -> {
                r.run();
                return null;
              });
      return () -> Layers.callUnchecked(c);
    }

    /** Decorates and runs once. */
    public void run() {
      decorate().run();
    }
  }

  /**
   * Decorates an asynchronous call. Guards never block the calling thread here: the rate limiter
   * and bulkhead only try, and retries are scheduled on the given scheduler. Not thread-safe.
   *
   * @param <T> result type
   */
  public static final class ForCompletionStage<T> extends Guards<ForCompletionStage<T>> {
    private final Supplier<? extends CompletionStage<T>> supplier;
    private ScheduledExecutorService scheduler;

    ForCompletionStage(Supplier<? extends CompletionStage<T>> supplier) {
      this.supplier = supplier;
    }

    @Override
    ForCompletionStage<T> self() {
      return this;
    }

    /**
     * Adds a retry whose delayed attempts run on {@code scheduler}.
     *
     * @param retry not null
     * @param scheduler not null
     * @return this builder
     */
    public ForCompletionStage<T> withRetry(Retry retry, ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
      return withRetry(retry);
    }

    /**
     * Returns the decorated asynchronous call.
     *
     * @return a thread-safe supplier of stages (if the original is)
     * @throws IllegalStateException if a retry was added without a scheduler
     */
    public Supplier<CompletionStage<T>> decorate() {
      if (retry != null && scheduler == null) {
        throw new IllegalStateException(
            "an asynchronous retry needs a scheduler: use withRetry(retry, scheduler)");
      }
      Supplier<CompletionStage<T>> s = () -> supplier.get();
      if (adaptive != null) {
        s = AsyncLayers.adaptive(adaptive, s);
      }
      if (bulkhead != null) {
        s = AsyncLayers.bulkhead(bulkhead, s);
      }
      if (rateLimiter != null) {
        s = AsyncLayers.rateLimiter(rateLimiter, s);
      }
      if (circuitBreaker != null) {
        s = AsyncLayers.circuitBreaker(circuitBreaker, s);
      }
      if (retry != null) {
        Retry r = retry;
        ScheduledExecutorService sch = scheduler;
        Supplier<CompletionStage<T>> inner = s;
        s = () -> r.executeCompletionStage(sch, inner);
      }
      return s;
    }

    /**
     * Decorates and runs once.
     *
     * @return the stage of the result
     */
    public CompletionStage<T> get() {
      return decorate().get();
    }
  }

  /** Synchronous layers. */
  static final class Layers {
    private Layers() {}

    static boolean isGuardRefusal(Throwable t) {
      return t instanceof RequestNotPermitted
          || t instanceof BulkheadFullException
          || t instanceof CallNotPermittedException;
    }

    static <T> T callUnchecked(Callable<T> c) {
      try {
        return c.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        // Unreachable for Supplier/Runnable sources: no layer adds checked exceptions.
        throw new CompletionException(e);
      }
    }

    static <T> Supplier<T> circuitBreaker(CircuitBreaker cb, Supplier<T> s) {
      Ticker ticker = cb.ticker();
      return () -> {
        if (!cb.tryAcquirePermission()) {
          throw new CallNotPermittedException(cb.name(), cb.state());
        }
        // Timing a call is two clock reads, usually more than the breaker itself costs: skip them
        // when the breaker ignores durations (slow-call detection off) and report 0.
        boolean timed = cb.recordsCallDurations();
        long start = timed ? ticker.read() : 0L;
        T result;
        try {
          result = s.get();
        } catch (Throwable e) {
          onFailure(cb, elapsed(ticker, timed, start), e);
          throw e;
        }
        cb.onSuccess(elapsed(ticker, timed, start));
        return result;
      };
    }

    static <T> Callable<T> circuitBreaker(CircuitBreaker cb, Callable<T> c) {
      Ticker ticker = cb.ticker();
      return () -> {
        if (!cb.tryAcquirePermission()) {
          throw new CallNotPermittedException(cb.name(), cb.state());
        }
        boolean timed = cb.recordsCallDurations(); // see the Supplier variant
        long start = timed ? ticker.read() : 0L;
        T result;
        try {
          result = c.call();
        } catch (Throwable e) {
          onFailure(cb, elapsed(ticker, timed, start), e);
          throw e;
        }
        cb.onSuccess(elapsed(ticker, timed, start));
        return result;
      };
    }

    /** The time since {@code start}, or {@code 0} without reading the ticker if not timed. */
    static long elapsed(Ticker ticker, boolean timed, long start) {
      return timed ? ticker.read() - start : 0L;
    }

    static void onFailure(CircuitBreaker cb, long durationNanos, Throwable e) {
      if (isGuardRefusal(e)) {
        cb.releasePermission();
      } else {
        cb.onError(durationNanos, e);
      }
    }

    static <T> Callable<T> rateLimiter(RateLimiter rl, long timeoutNanos, Callable<T> c) {
      return () -> {
        boolean ok;
        if (timeoutNanos == 0) {
          ok = rl.tryAcquire(1);
        } else {
          try {
            ok = rl.tryAcquire(1, Duration.ofNanos(timeoutNanos));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
          }
        }
        if (!ok) {
          throw new RequestNotPermitted(rl.name(), rl.nanosUntilAvailable(1));
        }
        return c.call();
      };
    }

    static <T> Callable<T> bulkhead(Bulkhead b, Callable<T> c) {
      return () -> {
        b.acquirePermission();
        try {
          return c.call();
        } finally {
          b.onComplete();
        }
      };
    }

    static <T> Callable<T> adaptive(AdaptiveLimiter.Partition p, Callable<T> c) {
      AdaptiveLimiter limiter = p.limiter();
      Ticker ticker = limiter.ticker();
      return () -> {
        if (!p.tryAcquire()) {
          throw new BulkheadFullException(limiter.name(), limiter.limit());
        }
        long start = ticker.read();
        T result;
        try {
          result = c.call();
        } catch (Throwable e) {
          if (limiter.isDrop(e)) {
            p.onDropped();
          } else {
            p.onIgnore();
          }
          throw e;
        }
        p.onSuccess(ticker.read() - start);
        return result;
      };
    }
  }

  /** Asynchronous layers: refusals become failed stages, releases happen on completion. */
  static final class AsyncLayers {
    private AsyncLayers() {}

    static Throwable unwrap(Throwable t) {
      return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    static <T> CompletionStage<T> start(Supplier<CompletionStage<T>> s) {
      try {
        return Objects.requireNonNull(s.get(), "the decorated supplier returned a null stage");
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    static <T> Supplier<CompletionStage<T>> circuitBreaker(
        CircuitBreaker cb, Supplier<CompletionStage<T>> s) {
      Ticker ticker = cb.ticker();
      return () -> {
        if (!cb.tryAcquirePermission()) {
          return CompletableFuture.failedFuture(
              new CallNotPermittedException(cb.name(), cb.state()));
        }
        boolean timed = cb.recordsCallDurations(); // see Layers.circuitBreaker
        long start = timed ? ticker.read() : 0L;
        return start(s)
            .whenComplete(
                (r, e) -> {
                  long d = Layers.elapsed(ticker, timed, start);
                  if (e == null) {
                    cb.onSuccess(d);
                  } else {
                    Layers.onFailure(cb, d, unwrap(e));
                  }
                });
      };
    }

    static <T> Supplier<CompletionStage<T>> rateLimiter(
        RateLimiter rl, Supplier<CompletionStage<T>> s) {
      return () ->
          rl.tryAcquire(1)
              ? start(s)
              : CompletableFuture.failedFuture(
                  new RequestNotPermitted(rl.name(), rl.nanosUntilAvailable(1)));
    }

    static <T> Supplier<CompletionStage<T>> bulkhead(Bulkhead b, Supplier<CompletionStage<T>> s) {
      return () -> {
        if (!b.tryAcquirePermission()) {
          return CompletableFuture.failedFuture(
              new BulkheadFullException(b.name(), b.config().maxConcurrentCalls()));
        }
        return start(s).whenComplete((r, e) -> b.onComplete());
      };
    }

    static <T> Supplier<CompletionStage<T>> adaptive(
        AdaptiveLimiter.Partition p, Supplier<CompletionStage<T>> s) {
      AdaptiveLimiter limiter = p.limiter();
      Ticker ticker = limiter.ticker();
      return () -> {
        if (!p.tryAcquire()) {
          return CompletableFuture.failedFuture(
              new BulkheadFullException(limiter.name(), limiter.limit()));
        }
        long start = ticker.read();
        return start(s)
            .whenComplete(
                (r, e) -> {
                  if (e == null) {
                    p.onSuccess(ticker.read() - start);
                  } else if (limiter.isDrop(unwrap(e))) {
                    p.onDropped();
                  } else {
                    p.onIgnore();
                  }
                });
      };
    }
  }
}
