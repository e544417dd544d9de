package io.dsblocks.ratelimit;

/**
 * A source of monotonic nanosecond time. Every time-dependent component in this module reads time
 * only through a ticker, so tests can inject a manual one instead of sleeping.
 *
 * <p>Implementations must be thread-safe and monotonic (never go backwards).
 */
@FunctionalInterface
public interface Ticker {
  /**
   * Returns the current time in nanoseconds from an arbitrary, fixed origin.
   *
   * @return nanoseconds; only differences between two readings are meaningful
   */
  long read();

  /**
   * The system ticker, backed by {@link System#nanoTime()}.
   *
   * @return a shared, stateless ticker
   */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }

  /**
   * A ticker that reads a cached clock value refreshed every {@code resolution} by a daemon thread:
   * much cheaper to read, accurate to about the resolution. See {@link CachedTicker} for when it
   * fits (timing calls against thresholds far above the resolution) and when it does not.
   *
   * @param resolution the refresh interval, 100 µs to 1 s
   * @return a running ticker; close it when no longer needed
   */
  static CachedTicker cached(java.time.Duration resolution) {
    return CachedTicker.start(resolution);
  }
}

/** The default ticker; a top-level enum keeps it a true singleton without a public type. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }
}
