package io.dsblocks.loadbalancer.internal.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by the proxy's builders: every message names the field, the bad value and
 * the allowed range. Stateless and thread-safe.
 */
public final class Checks {
  private Checks() {}

  /**
   * Checks an int range.
   *
   * @param field the field name
   * @param value the value
   * @param min smallest allowed
   * @param max largest allowed
   * @return the value
   * @throws IllegalArgumentException if out of range
   */
  public static int range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /**
   * Checks a long range.
   *
   * @param field the field name
   * @param value the value
   * @param min smallest allowed
   * @param max largest allowed
   * @return the value
   * @throws IllegalArgumentException if out of range
   */
  public static long range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /**
   * Checks a duration range.
   *
   * @param field the field name
   * @param value the value
   * @param min shortest allowed
   * @param max longest allowed
   * @return the value
   * @throws IllegalArgumentException if out of range
   * @throws NullPointerException if {@code value} is null
   */
  public static Duration range(String field, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, field + " must not be null");
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], was " + value);
    }
    return value;
  }

  /**
   * Checks that a string is not null or blank.
   *
   * @param field the field name
   * @param value the value
   * @return the value
   * @throws IllegalArgumentException if blank
   * @throws NullPointerException if null
   */
  public static String notBlank(String field, String value) {
    Objects.requireNonNull(value, field + " must not be null");
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, was '" + value + "'");
    }
    return value;
  }

  /**
   * Checks a TCP port for listening (0 picks a free port).
   *
   * @param field the field name
   * @param port the port
   * @return the port
   * @throws IllegalArgumentException if outside [0, 65535]
   */
  public static int listenPort(String field, int port) {
    return range(field, port, 0, 65535);
  }
}
