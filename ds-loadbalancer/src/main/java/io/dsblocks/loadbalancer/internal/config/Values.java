package io.dsblocks.loadbalancer.internal.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the value notations of the configuration file: durations ({@code 250ms}, {@code 5s},
 * {@code 2m}), sizes ({@code 64KiB}, {@code 1MiB}) and rates ({@code 100/s}, {@code 5000/h}).
 * Stateless and thread-safe.
 */
public final class Values {
  private static final Pattern DURATION = Pattern.compile("(\\d[\\d_]*)\\s*(ns|us|ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d[\\d_]*)\\s*([KMGT]i?B|B)?");
  private static final Pattern RATE = Pattern.compile("(\\d[\\d_]*)\\s*/\\s*(\\S+)");

  /** The duration units, for messages. */
  public static final String DURATION_FORM =
      "a whole number with a unit ns, us, ms, s, m, h or d, e.g. 250ms, 5s, 2m";

  private Values() {}

  /**
   * A permit count per period, e.g. {@code 100/s}.
   *
   * @param permits permits per period, at least 1
   * @param period the period, positive
   */
  public record Rate(long permits, Duration period) {
    @Override
    public String toString() {
      return permits + "/" + period;
    }
  }

  /**
   * Parses a duration.
   *
   * @param text e.g. {@code 250ms}; {@code 0} alone is also accepted
   * @return the duration
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static Duration duration(String text) {
    String t = text.trim();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "must be a duration (" + DURATION_FORM + "), was '" + text + "'");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("duration '" + text + "' is too large");
    }
    try {
      switch (m.group(2)) {
        case "ns":
          return Duration.ofNanos(n);
        case "us":
          return Duration.ofNanos(Math.multiplyExact(n, 1000L));
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration '" + text + "' is too large");
    }
  }

  /**
   * Parses a size in bytes: a plain number, or a number with {@code B}, {@code KiB}, {@code MiB},
   * {@code GiB}, {@code TiB} (powers of 1024) or {@code KB}, {@code MB}, {@code GB}, {@code TB}
   * (powers of 1000).
   *
   * @param text e.g. {@code 64KiB}
   * @return bytes
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static long size(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "must be a size (bytes, or a whole number with B, KiB, MiB, GiB, KB, MB or GB, e.g."
              + " 64KiB), was '"
              + text
              + "'");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("size '" + text + "' is too large");
    }
    String unit = m.group(2) == null ? "B" : m.group(2);
    long factor;
    switch (unit) {
      case "B":
        factor = 1;
        break;
      case "KiB":
        factor = 1L << 10;
        break;
      case "MiB":
        factor = 1L << 20;
        break;
      case "GiB":
        factor = 1L << 30;
        break;
      case "TiB":
        factor = 1L << 40;
        break;
      case "KB":
        factor = 1_000L;
        break;
      case "MB":
        factor = 1_000_000L;
        break;
      case "GB":
        factor = 1_000_000_000L;
        break;
      default:
        factor = 1_000_000_000_000L;
        break;
    }
    try {
      return Math.multiplyExact(n, factor);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("size '" + text + "' is too large");
    }
  }

  /**
   * Parses a rate: permits, a slash, and a unit ({@code s}, {@code m}, {@code h}, {@code d}) or a
   * duration ({@code 10s}, {@code 500ms}).
   *
   * @param text e.g. {@code 100/s}, {@code 5000/h}, {@code 10/500ms}
   * @return the rate
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static Rate rate(String text) {
    Matcher m = RATE.matcher(text.trim());
    String form = "must be a rate (permits/period, e.g. 100/s, 5000/h, 10/500ms), was '";
    if (!m.matches()) {
      throw new IllegalArgumentException(form + text + "'");
    }
    long permits;
    try {
      permits = Long.parseLong(m.group(1).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rate '" + text + "' is too large");
    }
    if (permits < 1) {
      throw new IllegalArgumentException("rate '" + text + "' must allow at least 1 permit");
    }
    String p = m.group(2).toLowerCase(Locale.ROOT);
    Duration period;
    try {
      period = duration(Character.isDigit(p.charAt(0)) ? p : "1" + p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(form + text + "'", e);
    }
    if (period.isZero()) {
      throw new IllegalArgumentException("rate '" + text + "' needs a positive period");
    }
    return new Rate(permits, period);
  }
}
