package io.dsblocks.loadbalancer.dns;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a DNS client is, as far as routing cares: continent and country (for geolocation routing)
 * and a region name (for latency routing, e.g. {@code "eu-central"}). Any part may be unknown.
 *
 * <p>A {@link GeoResolver} produces these from the query's source address or EDNS Client Subnet.
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class ClientLocation {
  /** A client about which nothing is known: gets default geolocation values. */
  public static final ClientLocation UNKNOWN = new ClientLocation(null, null, null);

  private final Continent continent;
  private final String country;
  private final String region;

  private ClientLocation(Continent continent, String country, String region) {
    this.continent = continent;
    this.country = country;
    this.region = region;
  }

  /**
   * Creates a location.
   *
   * @param continent the continent, or null if unknown
   * @param country an ISO 3166-1 alpha-2 country code, or null if unknown
   * @param region a latency-routing region name, or null if unknown
   * @return the location
   * @throws IllegalArgumentException if the country code is not ISO 3166-1 alpha-2 or the region is
   *     blank
   */
  public static ClientLocation of(Continent continent, String country, String region) {
    String c = country == null ? null : GeoLocation.countryCode(country, "country");
    if (region != null && region.isBlank()) {
      throw new IllegalArgumentException("region must not be blank (use null for unknown)");
    }
    return new ClientLocation(continent, c, region == null ? null : region.strip());
  }

  /**
   * A location known only by its latency region.
   *
   * @param region the region name
   * @return the location
   */
  public static ClientLocation region(String region) {
    Objects.requireNonNull(region, "region");
    return of(null, null, region);
  }

  /**
   * The continent.
   *
   * @return the continent, or empty if unknown
   */
  public Optional<Continent> continent() {
    return Optional.ofNullable(continent);
  }

  /**
   * The country.
   *
   * @return the upper-case ISO 3166-1 alpha-2 code, or empty if unknown
   */
  public Optional<String> country() {
    return Optional.ofNullable(country);
  }

  /**
   * The latency-routing region.
   *
   * @return the region name, or empty if unknown
   */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  Continent continentOrNull() {
    return continent;
  }

  String countryOrNull() {
    return country;
  }

  String regionOrNull() {
    return region;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ClientLocation)) {
      return false;
    }
    ClientLocation other = (ClientLocation) o;
    return continent == other.continent
        && Objects.equals(country, other.country)
        && Objects.equals(region, other.region);
  }

  @Override
  public int hashCode() {
    return Objects.hash(continent, country, region);
  }

  @Override
  public String toString() {
    return "ClientLocation{continent="
        + continent
        + ", country="
        + country
        + ", region="
        + region
        + '}';
  }
}
