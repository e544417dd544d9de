package io.dsblocks.cache.tier;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A wall clock tests move by hand. */
final class TestClock implements InstantSource {
  /** 2026-01-01T00:00:00Z. */
  static final long START = 1_767_225_600_000L;

  private final AtomicLong millis;

  TestClock() {
    this(START);
  }

  TestClock(long millis) {
    this.millis = new AtomicLong(millis);
  }

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
}
