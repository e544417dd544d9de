package io.dsblocks.cache.redis;

import java.time.Duration;
import java.util.Objects;

/** Builder checks of this package, so every message names the field, the value and the range. */
final class RedisConfigChecks {
  private RedisConfigChecks() {}

  static void range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "] but was " + value);
    }
  }

  static void duration(String field, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, field);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "] but was " + value);
    }
  }
}
