package io.dsblocks.loadbalancer.dns;

import io.dsblocks.loadbalancer.internal.dns.DnsNames;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * One value of a {@link RecordSet}: an IPv4 address, an IPv6 address or a CNAME target, with the
 * attributes its set's {@link RoutingPolicy} routes by (weight, region, failover role, location)
 * and an optional health-check reference.
 *
 * <p>Which attributes are allowed depends on the policy; {@link RecordSet.Builder#build()} checks
 * them and names the offending value. The id identifies the value within its set (Route 53 calls it
 * the <em>set identifier</em>) and appears in {@link RoutedRecord}s and error messages.
 *
 * <pre>{@code
 * RecordValue blue = RecordValue.builder("blue", "192.0.2.10").weight(3).healthCheck("blue-hc").build();
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class RecordValue {
  /** Largest TTL DNS allows (RFC 2181 section 8): 2^31 - 1 seconds. */
  public static final long MAX_TTL_SECONDS = Integer.MAX_VALUE;

  static final long UNSET_TTL = -1;
  static final int UNSET_WEIGHT = -1;

  private final String id;
  private final String value;
  private final InetAddress address; // for A and AAAA values
  private final String target; // canonical CNAME target otherwise
  private final long ttlSeconds; // UNSET_TTL until the owning set fills in its default
  private final String healthCheckId;
  private final int weight;
  private final String region;
  private final FailoverRole failoverRole;
  private final GeoLocation location;

  private RecordValue(Builder b, InetAddress address, String target, long ttlSeconds) {
    this.id = b.id;
    this.value = address != null ? NetUtil.toAddressString(address) : target;
    this.address = address;
    this.target = target;
    this.ttlSeconds = ttlSeconds;
    this.healthCheckId = b.healthCheckId;
    this.weight = b.weight == null ? UNSET_WEIGHT : b.weight;
    this.region = b.region;
    this.failoverRole = b.failoverRole;
    this.location = b.location;
  }

  private RecordValue(RecordValue v, long ttlSeconds) {
    this.id = v.id;
    this.value = v.value;
    this.address = v.address;
    this.target = v.target;
    this.ttlSeconds = ttlSeconds;
    this.healthCheckId = v.healthCheckId;
    this.weight = v.weight;
    this.region = v.region;
    this.failoverRole = v.failoverRole;
    this.location = v.location;
  }

  /**
   * Starts a value.
   *
   * @param id the value's identifier, unique within its record set
   * @param value an IPv4 literal ({@code 192.0.2.1}), an IPv6 literal ({@code 2001:db8::1}) or a
   *     host name for CNAME sets ({@code web.example.net})
   * @return a builder
   */
  public static Builder builder(String id, String value) {
    return new Builder(id, value);
  }

  /**
   * A value with no routing attributes (for {@link RoutingPolicy#SIMPLE simple} and {@link
   * RoutingPolicy#MULTIVALUE multivalue} sets).
   *
   * @param id the identifier
   * @param value the address or CNAME target
   * @return the value
   */
  public static RecordValue of(String id, String value) {
    return builder(id, value).build();
  }

  RecordValue withTtl(long ttl) {
    return new RecordValue(this, ttl);
  }

  /**
   * The identifier, unique within the record set.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * The value in canonical text form: a normalised address literal or a lower-case host name.
   *
   * @return the value
   */
  public String value() {
    return value;
  }

  /**
   * The address, for A and AAAA values.
   *
   * @return the address (created from the literal, never looked up), or empty for CNAME targets
   */
  public Optional<InetAddress> address() {
    return Optional.ofNullable(address);
  }

  /**
   * The CNAME target.
   *
   * @return the canonical host name, or empty for addresses
   */
  public Optional<String> target() {
    return Optional.ofNullable(target);
  }

  /**
   * The TTL answered with this value.
   *
   * @return seconds; the record set's default unless set on the value, or -1 on a value not yet
   *     added to a set that does not set its own
   */
  public long ttlSeconds() {
    return ttlSeconds;
  }

  /**
   * The health check this value follows.
   *
   * @return the check id, or empty if the value is always healthy
   */
  public Optional<String> healthCheckId() {
    return Optional.ofNullable(healthCheckId);
  }

  /**
   * The weight, for weighted sets.
   *
   * @return the weight, or -1 when not set
   */
  public int weight() {
    return weight;
  }

  /**
   * The region, for latency sets.
   *
   * @return the region, or empty when not set
   */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /**
   * The failover role, for failover sets.
   *
   * @return the role, or empty when not set
   */
  public Optional<FailoverRole> failoverRole() {
    return Optional.ofNullable(failoverRole);
  }

  /**
   * The location, for geolocation sets.
   *
   * @return the location, or empty when not set
   */
  public Optional<GeoLocation> location() {
    return Optional.ofNullable(location);
  }

  // Field access for the router (same package): no Optional allocation on the query path.
  InetAddress addressOrNull() {
    return address;
  }

  String targetOrNull() {
    return target;
  }

  String healthCheckOrNull() {
    return healthCheckId;
  }

  String regionOrNull() {
    return region;
  }

  FailoverRole failoverRoleOrNull() {
    return failoverRole;
  }

  GeoLocation locationOrNull() {
    return location;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RecordValue{").append(id).append(" -> ").append(value);
    sb.append(", ttl=").append(ttlSeconds);
    if (healthCheckId != null) {
      sb.append(", healthCheck=").append(healthCheckId);
    }
    if (weight != UNSET_WEIGHT) {
      sb.append(", weight=").append(weight);
    }
    if (region != null) {
      sb.append(", region=").append(region);
    }
    if (failoverRole != null) {
      sb.append(", failover=").append(failoverRole);
    }
    if (location != null) {
      sb.append(", location=").append(location);
    }
    return sb.append('}').toString();
  }

  /**
   * Builds a {@link RecordValue}. Each attribute applies to one routing policy; setting one that
   * the owning set's policy does not use is rejected when the set is built, because it would
   * otherwise be silently ignored.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final String id;
    private final String rawValue;
    private long ttlSeconds = UNSET_TTL;
    private String healthCheckId;
    private Integer weight; // null: not set (a sentinel int would hide a bad -1)
    private String region;
    private FailoverRole failoverRole;
    private GeoLocation location;

    private Builder(String id, String rawValue) {
      this.id = id;
      this.rawValue = rawValue;
    }

    /**
     * Overrides the record set's TTL for this value.
     *
     * @param seconds 0 to 2^31 - 1
     * @return this builder
     */
    public Builder ttlSeconds(long seconds) {
      this.ttlSeconds = seconds;
      return this;
    }

    /**
     * Makes the value follow a health check: it is answered only while the router's {@link
     * HealthSource} reports the check healthy. Several values may share one check.
     *
     * @param healthCheckId the check id
     * @return this builder
     */
    public Builder healthCheck(String healthCheckId) {
      this.healthCheckId = healthCheckId;
      return this;
    }

    /**
     * Sets the weight ({@link RoutingPolicy#WEIGHTED} only; defaults to 1 there).
     *
     * @param weight 0 or more; 0 means "only when no positive-weight value is healthy"
     * @return this builder
     */
    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /**
     * Sets the region the value is served from ({@link RoutingPolicy#LATENCY} only, required
     * there).
     *
     * @param region a region name matching the {@link LatencySource}'s, e.g. {@code "eu-west"}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /**
     * Sets the failover role ({@link RoutingPolicy#FAILOVER} only, required there).
     *
     * @param role primary or secondary
     * @return this builder
     */
    public Builder failover(FailoverRole role) {
      this.failoverRole = role;
      return this;
    }

    /**
     * Sets where the value applies ({@link RoutingPolicy#GEOLOCATION} only, required there).
     *
     * @param location a country, a continent or the default location
     * @return this builder
     */
    public Builder location(GeoLocation location) {
      this.location = location;
      return this;
    }

    /**
     * Validates the attributes that do not depend on the owning set.
     *
     * @return the value
     * @throws NullPointerException if id or value is null
     * @throws IllegalArgumentException naming the bad attribute, its value and the allowed range
     */
    public RecordValue build() {
      if (id == null) {
        throw new NullPointerException("record value id must not be null");
      }
      if (id.isBlank()) {
        throw new IllegalArgumentException("record value id must not be blank");
      }
      String where = "record value '" + id + "'";
      if (rawValue == null) {
        throw new NullPointerException(where + ": value must not be null");
      }
      if (ttlSeconds != UNSET_TTL && (ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS)) {
        throw new IllegalArgumentException(
            where + ": ttlSeconds must be in [0, " + MAX_TTL_SECONDS + "], got " + ttlSeconds);
      }
      if (weight != null && weight < 0) {
        throw new IllegalArgumentException(
            where + ": weight must be >= 0 (0 = only when nothing else is healthy), got " + weight);
      }
      if (healthCheckId != null && healthCheckId.isBlank()) {
        throw new IllegalArgumentException(where + ": healthCheck id must not be blank");
      }
      if (region != null && region.isBlank()) {
        throw new IllegalArgumentException(where + ": region must not be blank");
      }
      String v = rawValue.strip();
      InetAddress address = null;
      String target = null;
      byte[] bytes = NetUtil.createByteArrayFromIpAddressString(v);
      if (bytes != null) {
        try {
          // From raw bytes: no DNS lookup ever happens for a configured literal. IPv6 goes through
          // Inet6Address so that an IPv4-mapped literal (::ffff:a.b.c.d) stays a 16-byte AAAA
          // value instead of being collapsed to IPv4 by InetAddress.getByAddress.
          address =
              bytes.length == 16
                  ? Inet6Address.getByAddress(null, bytes, (NetworkInterface) null)
                  : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException(where + ": bad address '" + rawValue + "'", e);
        }
      } else {
        target = DnsNames.canonicalHostName(v, where + ": value");
      }
      return new RecordValue(this, address, target, ttlSeconds);
    }
  }
}
