package io.dsblocks.storage.internal.replica;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Paces a byte stream to a rate: after each chunk of work the caller reports its bytes and is
 * parked until the clock catches up with the bytes done so far ({@code bytes / rate} seconds after
 * the start). No token bucket is needed for one sequential reader: the budget is simply elapsed
 * time. ds-storage does not depend on ds-ratelimit (a leaf it could use) to keep scrub pacing free
 * of another module for a dozen lines.
 *
 * <p>Time and parking are injected so tests can drive a fake clock. Not thread-safe: one per scrub.
 */
public final class Pacer {
  private final long bytesPerSecond;
  private final LongSupplier ticker;
  private final LongConsumer parker;
  private final long start;
  private long bytes;

  /**
   * Creates a pacer starting now.
   *
   * @param bytesPerSecond the rate, at least 1; {@link Long#MAX_VALUE} never parks
   * @param ticker nanosecond clock
   * @param parker parks the caller for the given nanoseconds
   */
  public Pacer(long bytesPerSecond, LongSupplier ticker, LongConsumer parker) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException(
          "rateLimitBytesPerSecond must be in [1, "
              + Long.MAX_VALUE
              + "] but was "
              + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.ticker = ticker;
    this.parker = parker;
    this.start = ticker.getAsLong();
  }

  /**
   * Accounts for bytes just processed and parks until they fit the rate.
   *
   * @param n bytes
   */
  public void acquire(long n) {
    bytes += n;
    if (bytesPerSecond == Long.MAX_VALUE) {
      return;
    }
    // Due time of the bytes done so far; double is exact enough (ns over hours) and cannot
    // overflow.
    long due = start + (long) (bytes * 1e9 / bytesPerSecond);
    long wait = due - ticker.getAsLong();
    if (wait > 0) {
      parker.accept(wait);
    }
  }

  /**
   * Returns the bytes accounted so far.
   *
   * @return bytes
   */
  public long bytes() {
    return bytes;
  }
}
