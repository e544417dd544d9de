package io.dsblocks.cache.edge;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand. */
final class ManualClock implements InstantSource {
  /** 2026-01-01T00:00:00Z. */
  static final long START = 1_767_225_600_000L;

  private final AtomicLong millis = new AtomicLong(START);

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  void advanceSeconds(long s) {
    millis.addAndGet(s * 1000);
  }
}
