package io.dsblocks.loadbalancer.dns;

import io.dsblocks.loadbalancer.internal.dns.DnsNames;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The records of one type at one name, with the {@link RoutingPolicy} that picks which of its
 * {@link RecordValue values} each query gets.
 *
 * <pre>{@code
 * RecordSet www = RecordSet.weighted("www.example.test", RecordType.A)
 *     .ttlSeconds(30)
 *     .value(RecordValue.builder("blue", "192.0.2.10").weight(3))
 *     .value(RecordValue.builder("green", "192.0.2.20").weight(1))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe from any thread.
 */
public final class RecordSet {
  /** Route 53's cap on the records one multivalue answer carries. */
  public static final int MAX_MULTIVALUE_ANSWERS = 8;

  /** TTL used when neither the set nor a value sets one. */
  public static final long DEFAULT_TTL_SECONDS = 60;

  private final String name;
  private final RecordType type;
  private final RoutingPolicy policy;
  private final long ttlSeconds;
  private final int maxAnswers;
  private final List<RecordValue> values;
  private final RecordValue[] valueArray; // the router iterates this: no iterator allocation

  // Policy indexes built once here so that a query does a lookup instead of a scan.
  private final RecordValue primary;
  private final RecordValue secondary;
  private final Map<String, RecordValue> byCountry;
  private final Map<Continent, RecordValue> byContinent;
  private final RecordValue defaultLocation;

  private RecordSet(Builder b, String name, List<RecordValue> values) {
    this.name = name;
    this.type = b.type;
    this.policy = b.policy;
    this.ttlSeconds = b.ttlSeconds;
    this.maxAnswers = Math.min(b.maxAnswers, MAX_MULTIVALUE_ANSWERS);
    this.values = Collections.unmodifiableList(values);
    this.valueArray = values.toArray(new RecordValue[0]);
    RecordValue p = null;
    RecordValue s = null;
    RecordValue d = null;
    Map<String, RecordValue> countries = new HashMap<>();
    Map<Continent, RecordValue> continents = new EnumMap<>(Continent.class);
    for (RecordValue v : values) {
      if (v.failoverRoleOrNull() == FailoverRole.PRIMARY) {
        p = v;
      } else if (v.failoverRoleOrNull() == FailoverRole.SECONDARY) {
        s = v;
      }
      GeoLocation loc = v.locationOrNull();
      if (loc != null) {
        if (loc.countryOrNull() != null) {
          countries.put(loc.countryOrNull(), v);
        } else if (loc.continentOrNull() != null) {
          continents.put(loc.continentOrNull(), v);
        } else {
          d = v;
        }
      }
    }
    this.primary = p;
    this.secondary = s;
    this.byCountry = countries;
    this.byContinent = continents;
    this.defaultLocation = d;
  }

  /**
   * Starts a record set.
   *
   * @param name the owner name, e.g. {@code www.example.test}
   * @param type the record type
   * @param policy the routing policy
   * @return a builder
   */
  public static Builder builder(String name, RecordType type, RoutingPolicy policy) {
    return new Builder(name, type, policy);
  }

  /**
   * Starts a {@link RoutingPolicy#SIMPLE simple} set.
   *
   * @param name the owner name
   * @param type the record type
   * @return a builder
   */
  public static Builder simple(String name, RecordType type) {
    return builder(name, type, RoutingPolicy.SIMPLE);
  }

  /**
   * Starts a {@link RoutingPolicy#WEIGHTED weighted} set.
   *
   * @param name the owner name
   * @param type the record type
   * @return a builder
   */
  public static Builder weighted(String name, RecordType type) {
    return builder(name, type, RoutingPolicy.WEIGHTED);
  }

  /**
   * Starts a {@link RoutingPolicy#LATENCY latency} set.
   *
   * @param name the owner name
   * @param type the record type
   * @return a builder
   */
  public static Builder latency(String name, RecordType type) {
    return builder(name, type, RoutingPolicy.LATENCY);
  }

  /**
   * Starts a {@link RoutingPolicy#FAILOVER failover} set.
   *
   * @param name the owner name
   * @param type the record type
   * @return a builder
   */
  public static Builder failover(String name, RecordType type) {
    return builder(name, type, RoutingPolicy.FAILOVER);
  }

  /**
   * Starts a {@link RoutingPolicy#GEOLOCATION geolocation} set.
   *
   * @param name the owner name
   * @param type the record type
   * @return a builder
   */
  public static Builder geolocation(String name, RecordType type) {
    return builder(name, type, RoutingPolicy.GEOLOCATION);
  }

  /**
   * Starts a {@link RoutingPolicy#MULTIVALUE multivalue} set.
   *
   * @param name the owner name
   * @param type the record type (A or AAAA)
   * @return a builder
   */
  public static Builder multivalue(String name, RecordType type) {
    return builder(name, type, RoutingPolicy.MULTIVALUE);
  }

  /**
   * The owner name in canonical form (lower case, no trailing dot).
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The record type.
   *
   * @return the type
   */
  public RecordType type() {
    return type;
  }

  /**
   * The routing policy.
   *
   * @return the policy
   */
  public RoutingPolicy policy() {
    return policy;
  }

  /**
   * The set's default TTL (values may override it).
   *
   * @return seconds
   */
  public long ttlSeconds() {
    return ttlSeconds;
  }

  /**
   * The most values one multivalue answer carries.
   *
   * @return 1 to {@value #MAX_MULTIVALUE_ANSWERS}
   */
  public int maxAnswers() {
    return maxAnswers;
  }

  /**
   * The values, in configuration order, with their effective TTLs.
   *
   * @return an unmodifiable list
   */
  public List<RecordValue> values() {
    return values;
  }

  RecordValue[] valueArray() {
    return valueArray;
  }

  RecordValue primary() {
    return primary;
  }

  RecordValue secondary() {
    return secondary;
  }

  RecordValue forCountry(String country) {
    return byCountry.get(country);
  }

  RecordValue forContinent(Continent continent) {
    return byContinent.get(continent);
  }

  RecordValue forDefaultLocation() {
    return defaultLocation;
  }

  @Override
  public String toString() {
    return "RecordSet{" + name + ' ' + type + ' ' + policy + ", values=" + values + '}';
  }

  /**
   * Builds a {@link RecordSet}; every rule is checked in {@link #build()}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final String name;
    private final RecordType type;
    private final RoutingPolicy policy;
    private long ttlSeconds = DEFAULT_TTL_SECONDS;
    private int maxAnswers = MAX_MULTIVALUE_ANSWERS;
    private boolean maxAnswersSet;
    private final List<Object> pending = new ArrayList<>(); // RecordValue or RecordValue.Builder

    private Builder(String name, RecordType type, RoutingPolicy policy) {
      this.name = name;
      this.type = type;
      this.policy = policy;
    }

    /**
     * Sets the TTL of values that do not set their own (default {@value
     * RecordSet#DEFAULT_TTL_SECONDS}). Short TTLs make health and weight changes take effect sooner
     * at the price of more queries.
     *
     * @param seconds 0 to 2^31 - 1
     * @return this builder
     */
    public Builder ttlSeconds(long seconds) {
      this.ttlSeconds = seconds;
      return this;
    }

    /**
     * Sets how many values one {@link RoutingPolicy#MULTIVALUE multivalue} answer carries (default
     * and maximum {@value RecordSet#MAX_MULTIVALUE_ANSWERS}; larger numbers are capped to it).
     *
     * @param maxAnswers at least 1
     * @return this builder
     */
    public Builder maxAnswers(int maxAnswers) {
      this.maxAnswers = maxAnswers;
      this.maxAnswersSet = true;
      return this;
    }

    /**
     * Adds a value.
     *
     * @param value the value
     * @return this builder
     */
    public Builder value(RecordValue value) {
      pending.add(Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Adds a value, building it with this set's checks.
     *
     * @param value the value's builder
     * @return this builder
     */
    public Builder value(RecordValue.Builder value) {
      pending.add(Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Adds a value with no routing attributes.
     *
     * @param id the value's identifier
     * @param value the address or CNAME target
     * @return this builder
     */
    public Builder value(String id, String value) {
      return value(RecordValue.builder(id, value));
    }

    /**
     * Validates and builds the set.
     *
     * @return the record set
     * @throws NullPointerException if the name, type or policy is null
     * @throws IllegalArgumentException naming the set, the value and the broken rule
     */
    public RecordSet build() {
      Objects.requireNonNull(type, "recordSet type must not be null");
      Objects.requireNonNull(policy, "recordSet policy must not be null");
      String canonical = DnsNames.canonicalHostName(name, "recordSet name");
      String where = "recordSet '" + canonical + "' " + type + " " + policy;
      if (ttlSeconds < 0 || ttlSeconds > RecordValue.MAX_TTL_SECONDS) {
        throw new IllegalArgumentException(
            where
                + ": ttlSeconds must be in [0, "
                + RecordValue.MAX_TTL_SECONDS
                + "], got "
                + ttlSeconds);
      }
      if (maxAnswersSet && policy != RoutingPolicy.MULTIVALUE) {
        throw new IllegalArgumentException(where + ": maxAnswers only applies to MULTIVALUE sets");
      }
      if (maxAnswers < 1) {
        throw new IllegalArgumentException(
            where
                + ": maxAnswers must be >= 1 (values above "
                + MAX_MULTIVALUE_ANSWERS
                + " are capped), got "
                + maxAnswers);
      }
      if (pending.isEmpty()) {
        throw new IllegalArgumentException(where + ": needs at least one value");
      }
      if (type == RecordType.CNAME && policy == RoutingPolicy.MULTIVALUE) {
        throw new IllegalArgumentException(
            where + ": a name has at most one CNAME, so MULTIVALUE cannot apply to CNAME sets");
      }
      if (type == RecordType.CNAME && policy == RoutingPolicy.SIMPLE && pending.size() > 1) {
        throw new IllegalArgumentException(
            where
                + ": a simple CNAME set holds exactly one value (a name has at most one CNAME),"
                + " got "
                + pending.size());
      }
      List<RecordValue> values = new ArrayList<>(pending.size());
      Set<String> ids = new HashSet<>();
      Set<String> regions = new HashSet<>();
      Set<GeoLocation> locations = new HashSet<>();
      int primaries = 0;
      int secondaries = 0;
      for (Object o : pending) {
        RecordValue v =
            o instanceof RecordValue ? (RecordValue) o : ((RecordValue.Builder) o).build();
        String vwhere = where + ": value '" + v.id() + "'";
        if (!ids.add(v.id())) {
          throw new IllegalArgumentException(
              where + ": duplicate value id '" + v.id() + "' (ids must be unique within a set)");
        }
        checkType(v, vwhere);
        checkAttributes(v, vwhere);
        switch (policy) {
          case LATENCY:
            if (!regions.add(v.regionOrNull())) {
              throw new IllegalArgumentException(
                  vwhere
                      + ": region '"
                      + v.regionOrNull()
                      + "' is already used by another value (one value per region)");
            }
            break;
          case GEOLOCATION:
            if (!locations.add(v.locationOrNull())) {
              throw new IllegalArgumentException(
                  vwhere
                      + ": location "
                      + v.locationOrNull()
                      + " is already used by another value (one value per location)");
            }
            break;
          case FAILOVER:
            if (v.failoverRoleOrNull() == FailoverRole.PRIMARY) {
              primaries++;
            } else {
              secondaries++;
            }
            break;
          default:
            break;
        }
        values.add(v.ttlSeconds() == RecordValue.UNSET_TTL ? v.withTtl(ttlSeconds) : v);
      }
      if (policy == RoutingPolicy.FAILOVER && (primaries != 1 || secondaries > 1)) {
        throw new IllegalArgumentException(
            where
                + ": needs exactly one PRIMARY and at most one SECONDARY value, got "
                + primaries
                + " primary and "
                + secondaries
                + " secondary");
      }
      return new RecordSet(this, canonical, values);
    }

    private void checkType(RecordValue v, String vwhere) {
      switch (type) {
        case A:
          if (!(v.addressOrNull() instanceof Inet4Address)) {
            throw new IllegalArgumentException(
                vwhere + ": '" + v.value() + "' is not an IPv4 literal, which an A set needs");
          }
          break;
        case AAAA:
          if (!(v.addressOrNull() instanceof Inet6Address)) {
            throw new IllegalArgumentException(
                vwhere + ": '" + v.value() + "' is not an IPv6 literal, which an AAAA set needs");
          }
          break;
        case CNAME:
          if (v.targetOrNull() == null) {
            throw new IllegalArgumentException(
                vwhere
                    + ": '"
                    + v.value()
                    + "' is an address; a CNAME set needs a host name (use an A or AAAA set)");
          }
          break;
        default:
          throw new AssertionError(type);
      }
    }

    private void checkAttributes(RecordValue v, String vwhere) {
      boolean weighted = policy == RoutingPolicy.WEIGHTED;
      boolean latency = policy == RoutingPolicy.LATENCY;
      boolean failover = policy == RoutingPolicy.FAILOVER;
      boolean geo = policy == RoutingPolicy.GEOLOCATION;
      if (policy == RoutingPolicy.SIMPLE && v.healthCheckOrNull() != null) {
        throw new IllegalArgumentException(
            vwhere
                + ": SIMPLE sets ignore health (as Route 53 does); use MULTIVALUE for a"
                + " health-checked list");
      }
      if (!weighted && v.weight() != RecordValue.UNSET_WEIGHT) {
        throw new IllegalArgumentException(vwhere + ": weight only applies to WEIGHTED sets");
      }
      requireAttribute(latency, v.regionOrNull() != null, "region", "LATENCY", vwhere);
      requireAttribute(
          failover, v.failoverRoleOrNull() != null, "failover role", "FAILOVER", vwhere);
      requireAttribute(geo, v.locationOrNull() != null, "location", "GEOLOCATION", vwhere);
    }

    private static void requireAttribute(
        boolean policyUsesIt, boolean present, String attribute, String policyName, String vwhere) {
      if (policyUsesIt && !present) {
        throw new IllegalArgumentException(
            vwhere + ": " + policyName + " sets need a " + attribute + " on every value");
      }
      if (!policyUsesIt && present) {
        throw new IllegalArgumentException(
            vwhere + ": " + attribute + " only applies to " + policyName + " sets");
      }
    }
  }
}
