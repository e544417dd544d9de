package io.dsblocks.loadbalancer.dns;

import io.dsblocks.loadbalancer.internal.dns.DnsNames;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The global (DNS-level) routing policy engine: for a name, a record type and a client location it
 * chooses which records to answer with, following each {@link RecordSet}'s {@link RoutingPolicy}
 * the way Amazon Route 53 does, with health from a {@link HealthSource}, client locations from a
 * {@link GeoResolver} and round-trip times from a {@link LatencySource}.
 *
 * <pre>{@code
 * GlobalRouter router = GlobalRouter.builder(config)
 *     .healthSource(health)
 *     .geoResolver(CidrGeoResolver.builder().add("10.1.0.0/16", ClientLocation.of(Continent.EU, "DE", "eu-central")).build())
 *     .latencySource(rttTable)
 *     .build();
 * RoutingResult r = router.route("www.example.test", RecordType.A, InetAddress.getByName("10.1.2.3"));
 * }</pre>
 *
 * <p>Use it directly (client-side global balancing, tests, dry runs) or serve it over DNS with a
 * {@link DnsResponder}.
 *
 * <p>Health is evaluated on every call, so a failed check changes the very next answer. If every
 * value of a set is unhealthy the set is routed as if all were healthy (Route 53's rule: when all
 * checks fail, the checks are the likelier culprit, and an answer beats an outage).
 *
 * <p>Thread-safety: thread-safe and lock-free. The configuration is one immutable snapshot held in
 * a volatile field: {@link #update} swaps it atomically, and each {@code route} call reads it once,
 * so a query (including its whole CNAME chain) sees either the old or the new configuration, never
 * a mix. The health, geo and latency sources and the random generator must themselves be
 * thread-safe.
 */
public final class GlobalRouter {
  private volatile GlobalRoutingConfig config;
  private final HealthSource health;
  private final GeoResolver geoResolver;
  private final LatencySource latency;
  private final RandomGenerator random; // null: ThreadLocalRandom of the calling thread

  private GlobalRouter(Builder b) {
    this.config = b.config;
    this.health = b.health;
    this.geoResolver = b.geoResolver;
    this.latency = b.latency;
    this.random = b.random;
  }

  /**
   * Starts a router over a configuration.
   *
   * @param config the initial configuration
   * @return a builder
   */
  public static Builder builder(GlobalRoutingConfig config) {
    return new Builder(config);
  }

  /**
   * A router with every check healthy, no location knowledge and no latency data.
   *
   * @param config the configuration
   * @return the router
   */
  public static GlobalRouter of(GlobalRoutingConfig config) {
    return builder(config).build();
  }

  /**
   * The current configuration.
   *
   * @return the configuration
   */
  public GlobalRoutingConfig config() {
    return config;
  }

  /**
   * Replaces the whole configuration atomically; queries already running finish on the old one.
   *
   * @param newConfig the new configuration (already validated by its builder)
   */
  public void update(GlobalRoutingConfig newConfig) {
    this.config = Objects.requireNonNull(newConfig, "newConfig");
  }

  /**
   * Locates a client with the configured {@link GeoResolver}.
   *
   * @param address the client address
   * @return its location, never null
   */
  public ClientLocation locate(InetAddress address) {
    ClientLocation location = geoResolver.locate(Objects.requireNonNull(address, "address"));
    return location == null ? ClientLocation.UNKNOWN : location;
  }

  /**
   * Routes a query from a client address.
   *
   * @param name the queried name, any case, with or without trailing dot
   * @param type the record type
   * @param client the client's address (located with the configured {@link GeoResolver})
   * @return the result
   */
  public RoutingResult route(String name, RecordType type, InetAddress client) {
    return route(name, Objects.requireNonNull(type, "type").code(), locate(client));
  }

  /**
   * Routes a query from a located client.
   *
   * @param name the queried name, any case, with or without trailing dot
   * @param type the record type
   * @param client the client's location
   * @return the result
   */
  public RoutingResult route(String name, RecordType type, ClientLocation client) {
    return route(name, Objects.requireNonNull(type, "type").code(), client);
  }

  /**
   * Routes a query for any numeric DNS type. Types this package does not serve (MX, TXT, ...) still
   * follow CNAMEs and otherwise give NODATA for existing names, as an authoritative server must.
   *
   * @param name the queried name, any case, with or without trailing dot
   * @param queryType the DNS type code
   * @param client the client's location
   * @return the result
   */
  public RoutingResult route(String name, int queryType, ClientLocation client) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(client, "client");
    GlobalRoutingConfig cfg = config; // one snapshot for the whole CNAME chain
    String n = DnsNames.canonicalQueryName(name);
    String zone = cfg.zoneOf(n);
    if (zone == null) {
      return RoutingResult.refused();
    }
    RecordType type = RecordType.fromCode(queryType);
    List<RoutedRecord> out = new ArrayList<>(4);
    boolean locationDependent = false;
    for (int hop = 0; ; hop++) {
      GlobalRoutingConfig.Node node = cfg.node(n);
      if (node == null) {
        return result(RoutingOutcome.NXDOMAIN, out, zone, cfg, locationDependent);
      }
      if (node.cname != null && type != RecordType.CNAME) {
        if (hop == GlobalRoutingConfig.MAX_CNAME_CHAIN) {
          // A loop (or an absurdly long chain) in our own data: answer what we have rather
          // than spin; resolvers give up on such chains too.
          return result(RoutingOutcome.ANSWER, out, zone, cfg, locationDependent);
        }
        locationDependent |= isLocationDependent(node.cname.policy());
        RecordValue alias = selectOne(node.cname, client);
        if (alias == null) {
          return result(RoutingOutcome.NODATA, out, zone, cfg, locationDependent);
        }
        out.add(new RoutedRecord(n, RecordType.CNAME, alias));
        String target = alias.targetOrNull();
        String targetZone = cfg.zoneOf(target);
        if (targetZone == null) {
          // The target is someone else's: the client's resolver continues from here.
          return result(RoutingOutcome.ANSWER, out, zone, cfg, locationDependent);
        }
        n = target;
        zone = targetZone;
        continue;
      }
      RecordSet set = type == null ? null : node.forType(type);
      if (set == null) {
        return result(RoutingOutcome.NODATA, out, zone, cfg, locationDependent);
      }
      locationDependent |= isLocationDependent(set.policy());
      int before = out.size();
      select(set, client, out);
      RoutingOutcome outcome = out.size() > before ? RoutingOutcome.ANSWER : RoutingOutcome.NODATA;
      return result(outcome, out, zone, cfg, locationDependent);
    }
  }

  private static RoutingResult result(
      RoutingOutcome outcome,
      List<RoutedRecord> records,
      String zone,
      GlobalRoutingConfig cfg,
      boolean locationDependent) {
    return new RoutingResult(
        outcome,
        Collections.unmodifiableList(records),
        zone,
        cfg.negativeTtlSeconds(),
        cfg.soaSerial(),
        locationDependent);
  }

  private static boolean isLocationDependent(RoutingPolicy policy) {
    return policy == RoutingPolicy.GEOLOCATION || policy == RoutingPolicy.LATENCY;
  }

  private RandomGenerator random() {
    return random != null ? random : ThreadLocalRandom.current();
  }

  private boolean checkHealthy(RecordValue v) {
    String check = v.healthCheckOrNull();
    return check == null || health.isHealthy(check);
  }

  /**
   * Health of every value; when none is healthy, all count as healthy (Route 53 semantics).
   * Evaluated once per query so one decision sees one consistent view even if a check flips
   * meanwhile.
   */
  private boolean[] healthMask(RecordValue[] values) {
    boolean[] ok = new boolean[values.length];
    boolean any = false;
    for (int i = 0; i < values.length; i++) {
      ok[i] = checkHealthy(values[i]);
      any |= ok[i];
    }
    if (!any) {
      Arrays.fill(ok, true);
    }
    return ok;
  }

  private void select(RecordSet set, ClientLocation client, List<RoutedRecord> out) {
    if (set.policy() == RoutingPolicy.SIMPLE) {
      for (RecordValue v : set.valueArray()) {
        out.add(new RoutedRecord(set.name(), set.type(), v));
      }
      return;
    }
    if (set.policy() == RoutingPolicy.MULTIVALUE) {
      multivalue(set, out);
      return;
    }
    RecordValue v = selectOne(set, client);
    if (v != null) {
      out.add(new RoutedRecord(set.name(), set.type(), v));
    }
  }

  /** The single value of a one-answer policy, or null when the policy chooses none. */
  private RecordValue selectOne(RecordSet set, ClientLocation client) {
    switch (set.policy()) {
      case SIMPLE:
        return set.valueArray()[0]; // CNAME sets only: exactly one value
      case WEIGHTED:
        return weighted(set.valueArray());
      case LATENCY:
        return lowestLatency(set.valueArray(), client);
      case FAILOVER:
        return failover(set);
      case GEOLOCATION:
        return geolocation(set, client);
      default:
        throw new AssertionError(set.policy());
    }
  }

  private static int weightOf(RecordValue v) {
    return v.weight() == RecordValue.UNSET_WEIGHT ? 1 : v.weight();
  }

  private RecordValue weighted(RecordValue[] values) {
    boolean[] ok = healthMask(values);
    long total = 0;
    int healthyCount = 0;
    for (int i = 0; i < values.length; i++) {
      if (ok[i]) {
        total += weightOf(values[i]);
        healthyCount++;
      }
    }
    RandomGenerator rnd = random();
    if (total > 0) {
      long r = rnd.nextLong(total);
      for (int i = 0; i < values.length; i++) {
        if (ok[i]) {
          r -= weightOf(values[i]);
          if (r < 0) {
            return values[i];
          }
        }
      }
      throw new AssertionError("weighted pick ran past the total");
    }
    // Every healthy value has weight 0: Route 53 then chooses among them with equal probability.
    int k = rnd.nextInt(healthyCount);
    for (int i = 0; i < values.length; i++) {
      if (ok[i] && k-- == 0) {
        return values[i];
      }
    }
    throw new AssertionError("uniform pick ran past the healthy count");
  }

  private RecordValue lowestLatency(RecordValue[] values, ClientLocation client) {
    boolean[] ok = healthMask(values);
    String clientRegion = client.regionOrNull();
    RecordValue best = null;
    long bestRtt = Long.MAX_VALUE;
    for (int i = 0; i < values.length; i++) {
      if (!ok[i]) {
        continue;
      }
      String region = values[i].regionOrNull();
      long rtt = clientRegion == null ? -1 : latency.rttNanos(clientRegion, region);
      if (rtt < 0) {
        rtt = latency.rttNanos(LatencySource.ANY_REGION, region);
      }
      // Strictly lower: ties keep configuration order, so answers are stable between queries.
      if (rtt >= 0 && rtt < bestRtt) {
        best = values[i];
        bestRtt = rtt;
      }
    }
    if (best != null) {
      return best;
    }
    // Nothing measured yet: the client's own region is the best guess, else configuration order.
    RecordValue first = null;
    for (int i = 0; i < values.length; i++) {
      if (ok[i]) {
        if (clientRegion != null && clientRegion.equals(values[i].regionOrNull())) {
          return values[i];
        }
        if (first == null) {
          first = values[i];
        }
      }
    }
    return first;
  }

  private RecordValue failover(RecordSet set) {
    RecordValue primary = set.primary();
    if (checkHealthy(primary)) {
      return primary;
    }
    RecordValue secondary = set.secondary();
    if (secondary != null && checkHealthy(secondary)) {
      return secondary;
    }
    // Both down (or no secondary): all-unhealthy means all-healthy, so the primary answers.
    return primary;
  }

  private RecordValue geolocation(RecordSet set, ClientLocation client) {
    boolean allDown = true;
    for (RecordValue v : set.valueArray()) {
      if (checkHealthy(v)) {
        allDown = false;
        break;
      }
    }
    // Most specific first; an unhealthy match falls through to the next less specific one.
    String country = client.countryOrNull();
    if (country != null) {
      RecordValue v = set.forCountry(country);
      if (v != null && (allDown || checkHealthy(v))) {
        return v;
      }
    }
    Continent continent = client.continentOrNull();
    if (continent != null) {
      RecordValue v = set.forContinent(continent);
      if (v != null && (allDown || checkHealthy(v))) {
        return v;
      }
    }
    RecordValue v = set.forDefaultLocation();
    if (v != null && (allDown || checkHealthy(v))) {
      return v;
    }
    return null;
  }

  private void multivalue(RecordSet set, List<RoutedRecord> out) {
    RecordValue[] values = set.valueArray();
    boolean[] ok = healthMask(values);
    int[] candidates = new int[values.length];
    int k = 0;
    for (int i = 0; i < values.length; i++) {
      if (ok[i]) {
        candidates[k++] = i;
      }
    }
    int m = Math.min(k, set.maxAnswers());
    RandomGenerator rnd = random();
    // Partial Fisher-Yates: a uniformly random m-subset in random order, in O(m) swaps.
    for (int j = 0; j < m; j++) {
      int pick = j + rnd.nextInt(k - j);
      int tmp = candidates[j];
      candidates[j] = candidates[pick];
      candidates[pick] = tmp;
      out.add(new RoutedRecord(set.name(), set.type(), values[candidates[j]]));
    }
  }

  @Override
  public String toString() {
    return "GlobalRouter{" + config + '}';
  }

  /**
   * Builds a {@link GlobalRouter}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private final GlobalRoutingConfig config;
    private HealthSource health = HealthSource.alwaysHealthy();
    private GeoResolver geoResolver = GeoResolver.unknown();
    private LatencySource latency = LatencySource.none();
    private RandomGenerator random;

    private Builder(GlobalRoutingConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Sets where health verdicts come from (default: everything healthy).
     *
     * @param health the source
     * @return this builder
     */
    public Builder healthSource(HealthSource health) {
      this.health = Objects.requireNonNull(health, "health");
      return this;
    }

    /**
     * Sets how client addresses map to locations (default: every client unknown).
     *
     * @param geoResolver the resolver
     * @return this builder
     */
    public Builder geoResolver(GeoResolver geoResolver) {
      this.geoResolver = Objects.requireNonNull(geoResolver, "geoResolver");
      return this;
    }

    /**
     * Sets where latency routing gets round-trip times (default: none measured).
     *
     * @param latency the source, e.g. an {@link RttTable}
     * @return this builder
     */
    public Builder latencySource(LatencySource latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    /**
     * Sets the random generator for weighted and multivalue choices; inject a seeded one for
     * reproducible tests. It is called concurrently when the router is, so it must be thread-safe:
     * {@code new java.util.Random(seed)} is, {@code SplittableRandom} is not. Default: the calling
     * thread's {@link ThreadLocalRandom}.
     *
     * @param random the generator
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Builds the router.
     *
     * @return the router
     */
    public GlobalRouter build() {
      return new GlobalRouter(this);
    }
  }
}
