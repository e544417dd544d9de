package io.dsblocks.sharding;

/**
 * A source of monotonic nanosecond time. Time-dependent components of this module (the {@link
 * HotKeyTracker}'s sliding window) read time only through a ticker, so tests inject a manual one
 * instead of sleeping.
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
    return System::nanoTime;
  }
}
