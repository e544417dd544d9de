package io.dsblocks.loadbalancer.dns;

import java.util.Arrays;
import java.util.Locale;

/**
 * The seven continents by their two-letter codes, as used by geolocation routing.
 *
 * <p>Thread-safety: immutable enum, safe from any thread.
 */
public enum Continent {
  /** Africa. */
  AF,
  /** Antarctica. */
  AN,
  /** Asia. */
  AS,
  /** Europe. */
  EU,
  /** North America. */
  NA,
  /** Oceania. */
  OC,
  /** South America. */
  SA;

  /**
   * Parses a continent code, ignoring case.
   *
   * @param code a two-letter code such as {@code "EU"}
   * @return the continent
   * @throws NullPointerException if {@code code} is null
   * @throws IllegalArgumentException if the code is not one of AF, AN, AS, EU, NA, OC, SA
   */
  public static Continent of(String code) {
    if (code == null) {
      throw new NullPointerException("continent code must not be null");
    }
    String upper = code.strip().toUpperCase(Locale.ROOT);
    for (Continent c : values()) {
      if (c.name().equals(upper)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown continent code '" + code + "'; allowed: " + Arrays.toString(values()));
  }
}
