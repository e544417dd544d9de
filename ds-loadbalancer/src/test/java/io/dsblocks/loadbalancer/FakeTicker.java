package io.dsblocks.loadbalancer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when a test says so; starts at an arbitrary non-zero reading. */
public final class FakeTicker implements Ticker {
  private final AtomicLong now = new AtomicLong(1_000_000_007L);

  @Override
  public long read() {
    return now.get();
  }

  /**
   * Moves time forward.
   *
   * @param d how far
   * @return this
   */
  public FakeTicker advance(Duration d) {
    now.addAndGet(d.toNanos());
    return this;
  }
}
