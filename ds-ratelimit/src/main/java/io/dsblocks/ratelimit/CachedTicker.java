package io.dsblocks.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Ticker} that returns a cached {@link System#nanoTime()} reading, refreshed by its own
 * daemon thread every {@code resolution}: a read is one volatile load (about 1 ns) instead of a
 * clock call (25-30 ns on a typical VM).
 *
 * <p>What it is for: timing calls whose interesting durations are far above the resolution, such as
 * a circuit breaker's slow-call detection with a threshold of seconds. A decorated call reads the
 * ticker twice; with {@link Ticker#system()} those two clock reads are most of the decorator's cost
 * (see {@link io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig}). Pass it to {@link
 * io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker#of(String,
 * io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig, Ticker)}.
 *
 * <p>Accuracy: a reading lags real time by up to one resolution plus however late the refresher
 * thread wakes, and never runs ahead of {@link System#nanoTime()}. If that thread is starved of CPU
 * (a saturated machine), time stands still for as long and then jumps: a call inside the stall
 * measures as shorter than it was, a call across the jump as longer. Use slow-call thresholds well
 * above the resolution and above the stalls the machine can have, and keep {@link Ticker#system()}
 * for rate limiters, whose refill arithmetic wants exact time. Readings never go backwards. Each
 * instance runs one thread; share one instance between breakers.
 *
 * <p>{@link #close()} stops the thread; afterwards {@link #read()} returns {@link
 * System#nanoTime()} directly (still monotonic, just no longer cheap), so a breaker that outlives
 * the ticker keeps working.
 *
 * <p>Thread-safe.
 */
public final class CachedTicker implements Ticker, AutoCloseable {

  /** Smallest resolution: below it the refresher would wake more often than it saves. */
  public static final Duration MIN_RESOLUTION = Duration.ofNanos(100_000);

  /** Largest resolution. */
  public static final Duration MAX_RESOLUTION = Duration.ofSeconds(1);

  private final long resolutionNanos;
  private final Thread refresher;
  private volatile long now;
  private volatile boolean closed;

  private CachedTicker(long resolutionNanos) {
    this.resolutionNanos = resolutionNanos;
    this.now = System.nanoTime();
    this.refresher = new Thread(this::refresh, "dsblocks-cached-ticker");
    refresher.setDaemon(true);
  }

  /**
   * Starts a cached ticker refreshed every {@code resolution}.
   *
   * @param resolution how often the cached reading is refreshed, in [{@link #MIN_RESOLUTION},
   *     {@link #MAX_RESOLUTION}] (100 µs to 1 s); 1 ms suits slow-call thresholds of 100 ms and
   *     more
   * @return the running ticker; {@link #close()} it when no longer needed
   * @throws NullPointerException if {@code resolution} is null
   * @throws IllegalArgumentException if {@code resolution} is outside the allowed range
   */
  public static CachedTicker start(Duration resolution) {
    Objects.requireNonNull(resolution, "resolution must not be null");
    if (resolution.compareTo(MIN_RESOLUTION) < 0 || resolution.compareTo(MAX_RESOLUTION) > 0) {
      throw new IllegalArgumentException(
          "resolution must be between 100 µs and 1 s, was " + resolution);
    }
    CachedTicker t = new CachedTicker(resolution.toNanos());
    t.refresher.start();
    return t;
  }

  private void refresh() {
    while (!closed) {
      LockSupport.parkNanos(this, resolutionNanos);
      now = System.nanoTime();
    }
  }

  /**
   * The cached reading (or {@link System#nanoTime()} once closed).
   *
   * @return nanoseconds from an arbitrary origin; never less than an earlier reading
   */
  @Override
  public long read() {
    if (closed) {
      return System.nanoTime();
    }
    return now;
  }

  /**
   * The refresh interval.
   *
   * @return the resolution given to {@link #start}
   */
  public Duration resolution() {
    return Duration.ofNanos(resolutionNanos);
  }

  /** Stops the refresher thread and waits for it; idempotent. Reads become exact clock reads. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(refresher);
    boolean interrupted = false;
    while (refresher.isAlive()) {
      try {
        refresher.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "CachedTicker{resolution=" + resolution() + (closed ? ", closed" : "") + "}";
  }
}
