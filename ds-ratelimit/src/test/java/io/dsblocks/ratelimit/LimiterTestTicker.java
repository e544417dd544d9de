package io.dsblocks.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that only moves when a test says so. Starts at an arbitrary non-zero reading. */
final class LimiterTestTicker implements Ticker {
  private final AtomicLong now;

  LimiterTestTicker() {
    this(1_000_000_007L);
  }

  LimiterTestTicker(long start) {
    this.now = new AtomicLong(start);
  }

  @Override
  public long read() {
    return now.get();
  }

  LimiterTestTicker advance(Duration d) {
    now.addAndGet(d.toNanos());
    return this;
  }

  LimiterTestTicker advanceNanos(long nanos) {
    now.addAndGet(nanos);
    return this;
  }
}
