package io.dsblocks.cache;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the builders, so every message has the same shape. */
final class Checks {
  private Checks() {}

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
