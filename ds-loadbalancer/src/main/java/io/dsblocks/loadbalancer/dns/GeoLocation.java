package io.dsblocks.loadbalancer.dns;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a {@link RoutingPolicy#GEOLOCATION geolocation} value applies: one country, one continent,
 * or everywhere else (the default location).
 *
 * <p>Matching is most-specific-first: a client in Germany gets the {@code country("DE")} value if
 * there is one, else the {@code continent(EU)} value, else the {@link #defaultLocation()} value.
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class GeoLocation {
  private static final Set<String> ISO_COUNTRIES = Set.of(Locale.getISOCountries());
  private static final GeoLocation DEFAULT = new GeoLocation(null, null);

  private final Continent continent;
  private final String country;

  private GeoLocation(Continent continent, String country) {
    this.continent = continent;
    this.country = country;
  }

  /**
   * A location covering one country.
   *
   * @param isoCode an ISO 3166-1 alpha-2 code such as {@code "DE"} (case-insensitive)
   * @return the location
   * @throws NullPointerException if {@code isoCode} is null
   * @throws IllegalArgumentException if the code is not a known ISO 3166-1 alpha-2 code
   */
  public static GeoLocation country(String isoCode) {
    return new GeoLocation(null, countryCode(isoCode, "country"));
  }

  /**
   * A location covering one continent.
   *
   * @param continent the continent
   * @return the location
   * @throws NullPointerException if {@code continent} is null
   */
  public static GeoLocation continent(Continent continent) {
    return new GeoLocation(Objects.requireNonNull(continent, "continent"), null);
  }

  /**
   * A location covering one continent, by code.
   *
   * @param continentCode one of AF, AN, AS, EU, NA, OC, SA (case-insensitive)
   * @return the location
   * @throws IllegalArgumentException for an unknown continent code
   */
  public static GeoLocation continent(String continentCode) {
    return continent(Continent.of(continentCode));
  }

  /**
   * The location that matches clients no country or continent value matched (including clients
   * whose location is unknown).
   *
   * @return the default location
   */
  public static GeoLocation defaultLocation() {
    return DEFAULT;
  }

  static String countryCode(String isoCode, String field) {
    if (isoCode == null) {
      throw new NullPointerException(field + " must not be null");
    }
    String upper = isoCode.strip().toUpperCase(Locale.ROOT);
    if (!ISO_COUNTRIES.contains(upper)) {
      throw new IllegalArgumentException(
          field
              + " '"
              + isoCode
              + "' is not an ISO 3166-1 alpha-2 country code (e.g. DE, GB, US, JP)");
    }
    return upper;
  }

  /**
   * The continent, for a continent location.
   *
   * @return the continent, or empty for country and default locations
   */
  public Optional<Continent> continentCode() {
    return Optional.ofNullable(continent);
  }

  /**
   * The country, for a country location.
   *
   * @return the upper-case ISO code, or empty for continent and default locations
   */
  public Optional<String> countryCode() {
    return Optional.ofNullable(country);
  }

  /**
   * Whether this is the {@link #defaultLocation() default location}.
   *
   * @return true for the default location
   */
  public boolean isDefault() {
    return continent == null && country == null;
  }

  Continent continentOrNull() {
    return continent;
  }

  String countryOrNull() {
    return country;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GeoLocation)) {
      return false;
    }
    GeoLocation other = (GeoLocation) o;
    return continent == other.continent && Objects.equals(country, other.country);
  }

  @Override
  public int hashCode() {
    return Objects.hash(continent, country);
  }

  @Override
  public String toString() {
    if (country != null) {
      return "country:" + country;
    }
    if (continent != null) {
      return "continent:" + continent;
    }
    return "default";
  }
}
