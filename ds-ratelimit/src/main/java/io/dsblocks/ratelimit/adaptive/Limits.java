package io.dsblocks.ratelimit.adaptive;

/** Shared validation of min/initial/max limits. */
final class Limits {
  private Limits() {}

  static void check(int min, int initial, int max) {
    if (min < 1) {
      throw new IllegalArgumentException("minLimit must be >= 1, was " + min);
    }
    if (max < min) {
      throw new IllegalArgumentException("maxLimit must be >= minLimit (" + min + "), was " + max);
    }
    if (initial < min || initial > max) {
      throw new IllegalArgumentException(
          "initialLimit must be in [" + min + ", " + max + "], was " + initial);
    }
  }

  static int clamp(double value, int min, int max) {
    if (value <= min) {
      return min;
    }
    return value >= max ? max : (int) value;
  }
}
