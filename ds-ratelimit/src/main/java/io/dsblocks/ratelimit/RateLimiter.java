package io.dsblocks.ratelimit;

import java.time.Duration;

/**
 * Admits or refuses units of work ("permits") according to a rate.
 *
 * <p>Every algorithm in this module (token bucket, smooth/leaky bucket, fixed window, sliding
 * window log, sliding window counter, GCRA) implements this one interface; obtain them from {@link
 * RateLimiters} or {@link RateLimiterConfig#builder()}. Implementations are thread-safe, lock-free,
 * refill lazily from their {@link Ticker} (no background threads) and allocate nothing per call —
 * except the two whose state does not fit one word: a token bucket with several bandwidths and a
 * smooth limiter with warm-up swap a small immutable state object per granted call.
 *
 * <p>{@code permits} arguments must be in {@code [1, config().maxPermitsPerCall()]}; a request
 * larger than the burst could never succeed and is refused with {@link IllegalArgumentException}.
 */
public interface RateLimiter {

  /** Returned by {@link #reserve(long, long)} when the permits cannot be had in time. */
  long REJECTED = -1L;

  /**
   * Returns this limiter's name (used in exceptions, events and metrics).
   *
   * @return the name
   */
  String name();

  /**
   * Takes {@code permits} now if they are available.
   *
   * @param permits number of permits, at least 1 and at most the limiter's capacity
   * @return whether the permits were taken (always {@code true} in shadow mode)
   * @throws IllegalArgumentException if {@code permits} is out of range
   */
  boolean tryAcquire(long permits);

  /**
   * Takes one permit now if available.
   *
   * @return whether the permit was taken
   */
  default boolean tryAcquire() {
    return tryAcquire(1);
  }

  /**
   * Takes {@code permits}, waiting up to {@code timeout} for them: the permits are reserved at once
   * if they will be available within the timeout, then the calling thread parks until their time
   * comes.
   *
   * @param permits number of permits
   * @param timeout longest acceptable wait; zero means do not wait
   * @return whether the permits were taken
   * @throws InterruptedException if interrupted while waiting (the reservation is kept)
   */
  boolean tryAcquire(long permits, Duration timeout) throws InterruptedException;

  /**
   * Reserves {@code permits} if they will be available within {@code maxWaitNanos} and returns how
   * long the caller must wait before using them. The caller is responsible for waiting.
   *
   * <p>The sliding-window counter cannot hold permits for the future: it returns {@code 0} or
   * {@link #REJECTED} only. In shadow mode the result is always {@code 0} (the decision is still
   * recorded, and a would-be reservation still counts against later callers).
   *
   * @param permits number of permits
   * @param maxWaitNanos longest acceptable wait in nanoseconds, {@code >= 0}
   * @return nanoseconds to wait ({@code 0} = use them now), or {@link #REJECTED}
   */
  long reserve(long permits, long maxWaitNanos);

  /**
   * Returns the nanoseconds until {@code permits} could be acquired, without taking anything.
   *
   * @param permits number of permits
   * @return {@code 0} if available now, otherwise the wait in nanoseconds
   */
  long nanosUntilAvailable(long permits);

  /**
   * Returns the number of permits that could be acquired right now.
   *
   * @return available permits, {@code >= 0}
   */
  long availablePermits();

  /**
   * Returns the configuration in force.
   *
   * @return the current immutable configuration
   */
  RateLimiterConfig config();

  /**
   * Replaces the configuration at runtime, keeping the limiter's state according to the rule
   * documented on {@link RateLimiterConfig}. The algorithm cannot change.
   *
   * @param newConfig the new configuration, same algorithm
   * @throws IllegalArgumentException if the algorithm differs
   */
  void reconfigure(RateLimiterConfig newConfig);

  /**
   * Registers a listener for decisions. Costs nothing on the hot path while none is registered.
   *
   * @param listener the listener
   */
  void addListener(RateLimiterListener listener);

  /**
   * Removes a listener registered with {@link #addListener}.
   *
   * @param listener the listener
   */
  void removeListener(RateLimiterListener listener);

  /**
   * Returns a snapshot of counters since creation.
   *
   * @return an immutable snapshot
   */
  RateLimiterStats stats();
}
