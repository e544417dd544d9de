package io.dsblocks.cache.internal.edge;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP-date parsing (RFC 9110 section 5.6.7). Only the IMF-fixdate form every sender uses. */
public final class HttpDates {

  /** Returned when a value is absent or not a valid date. */
  public static final long INVALID = Long.MIN_VALUE;

  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);

  private HttpDates() {}

  /**
   * Parses an HTTP-date to epoch milliseconds.
   *
   * @param value the field value, may be null
   * @return epoch millis, or {@link #INVALID}
   */
  public static long parse(String value) {
    if (value == null || value.isBlank()) {
      return INVALID;
    }
    try {
      return ZonedDateTime.parse(value.trim(), IMF_FIXDATE).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return INVALID;
    }
  }
}
