package io.dsblocks.ratelimit.circuitbreaker;

import io.dsblocks.ratelimit.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that only moves when told to; shared by the breaker/bulkhead/retry tests. */
public final class ManualTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

  @Override
  public long read() {
    return nanos.get();
  }

  /**
   * Moves time forward.
   *
   * @param d how far
   */
  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  /**
   * Moves time forward.
   *
   * @param n nanoseconds
   */
  public void advanceNanos(long n) {
    nanos.addAndGet(n);
  }
}
