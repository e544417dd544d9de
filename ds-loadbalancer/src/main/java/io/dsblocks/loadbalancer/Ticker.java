package io.dsblocks.loadbalancer;

/**
 * A source of monotonic nanosecond time. Every time-dependent part of this module (slow start,
 * peak-EWMA decay, outlier ejection times, fail-back dwell) reads time only through a ticker, so
 * tests inject a manual one instead of sleeping.
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
}

/** The default ticker; an enum keeps it a true singleton without another public type. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }
}
