package io.dsblocks.loadbalancer.dns;

import io.dsblocks.loadbalancer.internal.dns.DnsNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The zones a {@link GlobalRouter} is authoritative for and the {@link RecordSet}s in them.
 *
 * <pre>{@code
 * GlobalRoutingConfig config = GlobalRoutingConfig.builder()
 *     .zone("example.test")
 *     .recordSet(RecordSet.failover("api.example.test", RecordType.A)
 *         .value(RecordValue.builder("primary", "192.0.2.1").failover(FailoverRole.PRIMARY)
 *             .healthCheck("primary-hc"))
 *         .value(RecordValue.builder("standby", "198.51.100.1").failover(FailoverRole.SECONDARY)))
 *     .build();
 * }</pre>
 *
 * <p>Names inside a zone that hold no record set answer NXDOMAIN, names outside every zone are
 * refused. A configuration is replaced as a whole ({@link GlobalRouter#update}), never edited, so a
 * query always sees one consistent version.
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class GlobalRoutingConfig {
  /** Default negative-caching TTL: how long resolvers may cache NXDOMAIN and NODATA answers. */
  public static final long DEFAULT_NEGATIVE_TTL_SECONDS = 60;

  /** Longest CNAME chain followed inside our zones; protects against configured loops. */
  static final int MAX_CNAME_CHAIN = 8;

  private final List<String> zones;
  private final List<RecordSet> recordSets;
  private final long negativeTtlSeconds;
  private final long soaSerial;
  private final Map<String, Node> nodes;
  private final Set<String> zoneApexes;

  /** The record sets at one name; a node with no sets is an empty non-terminal or a zone apex. */
  static final class Node {
    RecordSet a;
    RecordSet aaaa;
    RecordSet cname;

    RecordSet forType(RecordType type) {
      switch (type) {
        case A:
          return a;
        case AAAA:
          return aaaa;
        case CNAME:
          return cname;
        default:
          throw new AssertionError(type);
      }
    }
  }

  private GlobalRoutingConfig(
      List<String> zones,
      List<RecordSet> recordSets,
      long negativeTtlSeconds,
      long soaSerial,
      Map<String, Node> nodes) {
    this.zones = zones;
    this.zoneApexes = Set.copyOf(zones);
    this.recordSets = recordSets;
    this.negativeTtlSeconds = negativeTtlSeconds;
    this.soaSerial = soaSerial;
    this.nodes = nodes;
  }

  /**
   * Starts a configuration.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The zones, canonical, in configuration order.
   *
   * @return an unmodifiable list
   */
  public List<String> zones() {
    return zones;
  }

  /**
   * The record sets, in configuration order.
   *
   * @return an unmodifiable list
   */
  public List<RecordSet> recordSets() {
    return recordSets;
  }

  /**
   * The negative-caching TTL answered in the SOA record of NXDOMAIN and NODATA responses.
   *
   * @return seconds
   */
  public long negativeTtlSeconds() {
    return negativeTtlSeconds;
  }

  /**
   * The serial number of the synthesised SOA records; bump it with each update so secondaries and
   * monitoring can tell versions apart.
   *
   * @return the serial
   */
  public long soaSerial() {
    return soaSerial;
  }

  Node node(String canonicalName) {
    return nodes.get(canonicalName);
  }

  /**
   * The longest configured zone containing a name.
   *
   * @param canonicalName a canonical name
   * @return the zone apex, or null when the name is outside every zone
   */
  String zoneOf(String canonicalName) {
    // Walking from the name towards the root finds the longest (most specific) zone first.
    for (String n = canonicalName; n != null; n = DnsNames.parentOf(n)) {
      if (zoneApexes.contains(n)) {
        return n;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "GlobalRoutingConfig{zones="
        + zones
        + ", recordSets="
        + recordSets.size()
        + ", serial="
        + soaSerial
        + '}';
  }

  /**
   * Builds a {@link GlobalRoutingConfig}; every rule is checked in {@link #build()}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final List<String> zones = new ArrayList<>();
    private final List<Object> sets = new ArrayList<>(); // RecordSet or RecordSet.Builder
    private long negativeTtlSeconds = DEFAULT_NEGATIVE_TTL_SECONDS;
    private long soaSerial = 1;

    private Builder() {}

    /**
     * Adds a zone this router is authoritative for (e.g. {@code example.test}). Every record set
     * must lie inside a zone; queries outside all zones are refused.
     *
     * @param apex the zone's apex name
     * @return this builder
     */
    public Builder zone(String apex) {
      zones.add(apex);
      return this;
    }

    /**
     * Adds a record set.
     *
     * @param recordSet the set
     * @return this builder
     */
    public Builder recordSet(RecordSet recordSet) {
      sets.add(Objects.requireNonNull(recordSet, "recordSet"));
      return this;
    }

    /**
     * Adds a record set, building it.
     *
     * @param recordSet the set's builder
     * @return this builder
     */
    public Builder recordSet(RecordSet.Builder recordSet) {
      sets.add(Objects.requireNonNull(recordSet, "recordSet"));
      return this;
    }

    /**
     * Sets the negative-caching TTL (default {@value
     * GlobalRoutingConfig#DEFAULT_NEGATIVE_TTL_SECONDS}).
     *
     * @param seconds 0 to 2^31 - 1
     * @return this builder
     */
    public Builder negativeTtlSeconds(long seconds) {
      this.negativeTtlSeconds = seconds;
      return this;
    }

    /**
     * Sets the SOA serial (default 1).
     *
     * @param serial 0 to 2^32 - 1
     * @return this builder
     */
    public Builder soaSerial(long serial) {
      this.soaSerial = serial;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the zone or record set and the broken rule
     */
    public GlobalRoutingConfig build() {
      if (zones.isEmpty()) {
        throw new IllegalArgumentException(
            "config needs at least one zone (the domain this router answers for)");
      }
      if (negativeTtlSeconds < 0 || negativeTtlSeconds > RecordValue.MAX_TTL_SECONDS) {
        throw new IllegalArgumentException(
            "negativeTtlSeconds must be in [0, "
                + RecordValue.MAX_TTL_SECONDS
                + "], got "
                + negativeTtlSeconds);
      }
      if (soaSerial < 0 || soaSerial > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(
            "soaSerial must be in [0, 4294967295], got " + soaSerial);
      }
      Set<String> apexes = new LinkedHashSet<>();
      for (String z : zones) {
        String apex = DnsNames.canonicalHostName(z, "zone");
        if (!apexes.add(apex)) {
          throw new IllegalArgumentException("zone '" + apex + "' is configured twice");
        }
      }
      Map<String, Node> nodes = new HashMap<>();
      for (String apex : apexes) {
        nodes.put(apex, new Node());
      }
      List<RecordSet> built = new ArrayList<>(sets.size());
      for (Object o : sets) {
        RecordSet set = o instanceof RecordSet ? (RecordSet) o : ((RecordSet.Builder) o).build();
        String where = "recordSet '" + set.name() + "' " + set.type();
        String zone = longestZone(set.name(), apexes);
        if (zone == null) {
          throw new IllegalArgumentException(
              where + " is outside every configured zone " + apexes + "; add its zone");
        }
        if (set.type() == RecordType.CNAME && set.name().equals(zone)) {
          throw new IllegalArgumentException(
              where + ": a zone apex cannot be a CNAME (it holds the zone's SOA)");
        }
        Node node = nodes.computeIfAbsent(set.name(), k -> new Node());
        if (node.forType(set.type()) != null) {
          throw new IllegalArgumentException(
              where + " is configured twice (one set per name and type; put values in one set)");
        }
        boolean hasOther = node.a != null || node.aaaa != null;
        if ((set.type() == RecordType.CNAME && hasOther)
            || (set.type() != RecordType.CNAME && node.cname != null)) {
          throw new IllegalArgumentException(
              where + ": a name with a CNAME can hold no other record type (RFC 1034)");
        }
        switch (set.type()) {
          case A:
            node.a = set;
            break;
          case AAAA:
            node.aaaa = set;
            break;
          default:
            node.cname = set;
            break;
        }
        // Ancestors up to the apex exist as empty non-terminals: they answer NODATA, not
        // NXDOMAIN, because a name with descendants exists (RFC 8020).
        for (String p = DnsNames.parentOf(set.name());
            p != null && p.length() >= zone.length();
            p = DnsNames.parentOf(p)) {
          nodes.computeIfAbsent(p, k -> new Node());
        }
        built.add(set);
      }
      return new GlobalRoutingConfig(
          Collections.unmodifiableList(new ArrayList<>(apexes)),
          Collections.unmodifiableList(built),
          negativeTtlSeconds,
          soaSerial,
          nodes);
    }

    private static String longestZone(String name, Set<String> apexes) {
      // Longest match first, as in zoneOf, so a set in a delegated sub-zone belongs to it.
      for (String n = name; n != null; n = DnsNames.parentOf(n)) {
        if (apexes.contains(n)) {
          return n;
        }
      }
      return null;
    }
  }
}
