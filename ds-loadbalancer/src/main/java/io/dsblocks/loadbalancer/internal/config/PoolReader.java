package io.dsblocks.loadbalancer.internal.config;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.Strategy;
import io.dsblocks.loadbalancer.health.HealthCheck;
import io.dsblocks.loadbalancer.health.HealthChecker;
import io.dsblocks.loadbalancer.health.HealthChecks;
import io.dsblocks.loadbalancer.health.OutlierDetection;
import io.dsblocks.loadbalancer.proxy.BackendPool;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads one entry of {@code pools}: the balancer (strategy, endpoints, panic threshold, zone, slow
 * start, outlier detection), its active health check, and the L7 connection settings and circuit
 * breakers. Not thread-safe (one per read).
 */
final class PoolReader {
  static final List<String> LB_KEYS =
      List.of(
          "strategy",
          "endpoints",
          "panicThreshold",
          "localZone",
          "slowStart",
          "seed",
          "healthCheck",
          "outlierDetection");
  static final List<String> HTTP_ONLY_KEYS =
      List.of("connectTimeout", "maxIdleConnectionsPerEndpoint", "circuitBreaker");
  static final List<String> HTTP_KEYS = concat(LB_KEYS, HTTP_ONLY_KEYS);
  static final List<String> ENDPOINT_KEYS =
      List.of("address", "host", "port", "id", "weight", "zone", "metadata");
  static final List<String> HEALTH_KEYS =
      List.of(
          "type",
          "path",
          "expectedStatus",
          "timeout",
          "interval",
          "jitter",
          "healthyThreshold",
          "unhealthyThreshold",
          "seed");
  static final List<String> OUTLIER_KEYS =
      List.of(
          "consecutiveFailures",
          "consecutive5xx",
          "successRate",
          "interval",
          "baseEjectionTime",
          "maxEjectionTime",
          "maxEjectionPercent");
  static final List<String> SUCCESS_RATE_KEYS =
      List.of("minimumHosts", "requestVolume", "stdevFactor");
  static final List<String> BREAKER_KEYS =
      List.of(
          "failureRateThreshold",
          "minimumNumberOfCalls",
          "countWindow",
          "timeWindow",
          "slowCallRateThreshold",
          "slowCallDurationThreshold",
          "slowCallDetection",
          "permittedCallsInHalfOpenState",
          "waitDurationInOpenState",
          "openWaitBackoff");
  static final List<String> BACKOFF_KEYS = List.of("multiplier", "maxWait");
  static final List<String> ZONE_KEYS = List.of("zone", "minAvailableShare");
  static final List<String> SLOW_START_KEYS = List.of("window", "aggression", "minFactor");

  /** The strategy names of the file, in the order the README lists them. */
  static final Map<String, Supplier<Strategy>> STRATEGIES = new LinkedHashMap<>();

  static {
    STRATEGIES.put("roundRobin", Strategies::roundRobin);
    STRATEGIES.put("smoothWeightedRoundRobin", Strategies::smoothWeightedRoundRobin);
    STRATEGIES.put("random", Strategies::random);
    STRATEGIES.put("weightedRandom", Strategies::weightedRandom);
    STRATEGIES.put("leastRequest", Strategies::leastRequest);
    STRATEGIES.put("leastConnections", Strategies::leastConnections);
    STRATEGIES.put("powerOfTwoChoices", Strategies::powerOfTwoChoices);
    STRATEGIES.put("p2c", Strategies::powerOfTwoChoices);
    STRATEGIES.put("peakEwma", Strategies::peakEwma);
    STRATEGIES.put("ringHash", Strategies::ringHash);
    STRATEGIES.put("maglev", Strategies::maglev);
    STRATEGIES.put("boundedLoadHash", () -> Strategies.boundedLoadHash(1.25));
    STRATEGIES.put("ipHash", Strategies::ipHash);
  }

  private static final List<String> STRATEGY_MAP_KEYS =
      List.of("name", "decay", "initialEstimate", "pointsPerWeight", "tableSize", "capacityFactor");

  private final Resources resources;

  PoolReader(Resources resources) {
    this.resources = resources;
  }

  /** What one pool entry produced. */
  record Pool(
      String name,
      ConfigNode node,
      LoadBalancer<Endpoint> balancer,
      HealthChecker healthChecker,
      BackendPool backendPool) {}

  Pool read(String name, ConfigNode node, boolean http) {
    if (!http) {
      ConfigNode.Mapping probe = node.freeMap("a pool (a mapping with strategy, endpoints, ...)");
      for (String k : probe.entries().keySet()) {
        if (HTTP_ONLY_KEYS.contains(k)) {
          throw probe.keyError(
              k,
              "'"
                  + k
                  + "' is only allowed with mode: http (with mode: tcp, use the top-level"
                  + " connectTimeout)");
        }
      }
    }
    ConfigNode.Mapping m = node.map(http ? HTTP_KEYS : LB_KEYS);
    ConfigNode strategyNode = m.required("strategy");
    Strategy strategy = strategy(strategyNode);
    List<Endpoint> endpoints = endpoints(m.required("endpoints"));

    LoadBalancers.Builder lb = LoadBalancers.builder(strategy).name(name);
    m.get("panicThreshold").ifPresent(n -> lb.panicThreshold(n.number(0, 1)));
    m.get("localZone")
        .ifPresent(
            n -> {
              if (n.isScalar()) {
                lb.localZone(n.string(), 0.7);
              } else {
                ConfigNode.Mapping z = n.map(ZONE_KEYS);
                double share =
                    z.get("minAvailableShare").map(s -> s.number(Double.MIN_VALUE, 1)).orElse(0.7);
                lb.localZone(z.required("zone").string(), share);
              }
            });
    m.get("slowStart")
        .ifPresent(
            n -> {
              if (n.isScalar()) {
                lb.slowStart(n.duration());
              } else {
                ConfigNode.Mapping s = n.map(SLOW_START_KEYS);
                lb.slowStart(
                    s.required("window").duration(),
                    s.get("aggression").map(a -> a.number(0.1, 10)).orElse(1.0),
                    s.get("minFactor").map(f -> f.number(Double.MIN_VALUE, 1)).orElse(0.1));
              }
              if (!strategy.weighted()) {
                throw n.error(
                    "slowStart needs a weighted strategy (smoothWeightedRoundRobin, weightedRandom,"
                        + " leastRequest, leastConnections, powerOfTwoChoices, peakEwma), strategy is "
                        + strategy.name());
              }
            });
    m.get("seed").ifPresent(n -> lb.seed(n.longValue(Long.MIN_VALUE, Long.MAX_VALUE)));
    m.get("outlierDetection").ifPresent(n -> outlier(n).ifPresent(lb::outlierDetection));
    LoadBalancer<Endpoint> balancer = node.apply(() -> lb.<Endpoint>build(endpoints));

    HealthChecker checker = m.get("healthCheck").map(n -> healthCheck(n, balancer)).orElse(null);

    BackendPool backendPool = null;
    if (http) {
      BackendPool.Builder b = BackendPool.builder(name, balancer);
      m.get("connectTimeout").ifPresent(n -> n.run(() -> b.connectTimeout(n.duration())));
      m.get("maxIdleConnectionsPerEndpoint")
          .ifPresent(n -> b.maxIdleConnectionsPerEndpoint(n.integer(0, 10_000)));
      m.get("circuitBreaker").ifPresent(n -> breaker(n, b));
      backendPool = b.build();
    }
    return new Pool(name, node, balancer, checker, backendPool);
  }

  private static Strategy strategy(ConfigNode n) {
    if (!n.isMapping()) {
      return n.oneOf("strategy", STRATEGIES).get();
    }
    ConfigNode.Mapping m = n.map(STRATEGY_MAP_KEYS);
    ConfigNode nameNode = m.required("name");
    Supplier<Strategy> base = nameNode.oneOf("strategy", STRATEGIES);
    String name = base.get().name();
    List<String> allowed;
    switch (name) {
      case "peakEwma":
        allowed = List.of("decay", "initialEstimate");
        break;
      case "ringHash":
        allowed = List.of("pointsPerWeight");
        break;
      case "maglev":
        allowed = List.of("tableSize");
        break;
      case "boundedLoadHash":
        allowed = List.of("capacityFactor");
        break;
      default:
        allowed = List.of();
    }
    for (String k : m.entries().keySet()) {
      if (!k.equals("name") && !allowed.contains(k)) {
        throw m.keyError(
            k,
            "'"
                + k
                + "' does not apply to strategy "
                + name
                + (allowed.isEmpty() ? " (it has no parameters)" : "; its parameters: " + allowed));
      }
    }
    switch (name) {
      case "peakEwma":
        Duration decay =
            m.get("decay").map(ConfigNode::duration).orElse(Strategies.DEFAULT_EWMA_DECAY);
        Duration initial =
            m.get("initialEstimate")
                .map(ConfigNode::duration)
                .orElse(Strategies.DEFAULT_EWMA_INITIAL);
        return n.apply(() -> Strategies.peakEwma(decay, initial));
      case "ringHash":
        return m.get("pointsPerWeight")
            .map(p -> p.apply(() -> Strategies.ringHash(p.integer(1, 100_000))))
            .orElseGet(Strategies::ringHash);
      case "maglev":
        return m.get("tableSize")
            .map(t -> t.apply(() -> Strategies.maglev(t.integer(2, Integer.MAX_VALUE))))
            .orElseGet(Strategies::maglev);
      case "boundedLoadHash":
        return m.get("capacityFactor")
            .map(c -> c.apply(() -> Strategies.boundedLoadHash(c.number(1, 100))))
            .orElseGet(() -> Strategies.boundedLoadHash(1.25));
      default:
        return base.get();
    }
  }

  private static List<Endpoint> endpoints(ConfigNode n) {
    List<ConfigNode> items = n.list();
    if (items.isEmpty()) {
      throw n.error("must not be empty: a pool needs at least one endpoint");
    }
    List<Endpoint> out = new ArrayList<>();
    Map<String, ConfigNode> ids = new LinkedHashMap<>();
    for (ConfigNode item : items) {
      Endpoint e = endpoint(item);
      ConfigNode first = ids.putIfAbsent(e.id(), item);
      if (first != null) {
        throw item.error(
            "duplicate endpoint id '"
                + e.id()
                + "' (also "
                + first.path()
                + "); give one of them an id");
      }
      out.add(e);
    }
    return out;
  }

  private static Endpoint endpoint(ConfigNode n) {
    Endpoint.Builder b = Endpoint.builder();
    if (!n.isMapping()) {
      HostPort hp = HostPort.parse(n, n.string(), 1);
      return n.apply(() -> b.host(hp.host()).port(hp.port()).build());
    }
    ConfigNode.Mapping m = n.map(ENDPOINT_KEYS);
    if (m.has("address")) {
      if (m.has("host") || m.has("port")) {
        throw m.keyError(
            m.has("host") ? "host" : "port", "give either address or host and port, not both");
      }
      ConfigNode a = m.required("address");
      HostPort hp = HostPort.parse(a, a.string(), 1);
      b.host(hp.host()).port(hp.port());
    } else {
      b.host(m.required("host").string()).port(m.required("port").integer(1, 65_535));
    }
    m.get("id").ifPresent(v -> b.id(v.string()));
    m.get("weight").ifPresent(v -> b.weight(v.integer(0, Endpoint.MAX_WEIGHT)));
    m.get("zone").ifPresent(v -> b.zone(v.string()));
    m.get("metadata")
        .ifPresent(
            v -> {
              Map<String, String> md = new LinkedHashMap<>();
              v.freeMap("a mapping of labels").entries().forEach((k, x) -> md.put(k, x.string()));
              b.metadata(md);
            });
    return n.apply(b::build);
  }

  private static java.util.Optional<OutlierDetection> outlier(ConfigNode n) {
    if (n.isScalar()) {
      return n.bool()
          ? java.util.Optional.of(OutlierDetection.defaults())
          : java.util.Optional.empty();
    }
    ConfigNode.Mapping m = n.map(OUTLIER_KEYS);
    OutlierDetection.Builder b = OutlierDetection.builder();
    m.get("consecutiveFailures")
        .ifPresent(v -> v.run(() -> b.consecutiveFailures(v.integer(0, Integer.MAX_VALUE))));
    m.get("consecutive5xx")
        .ifPresent(v -> v.run(() -> b.consecutive5xx(v.integer(0, Integer.MAX_VALUE))));
    m.get("successRate")
        .ifPresent(
            v -> {
              if (v.isScalar()) {
                b.successRate(v.bool());
              } else {
                ConfigNode.Mapping s = v.map(SUCCESS_RATE_KEYS);
                OutlierDetection defaults = OutlierDetection.defaults();
                int hosts =
                    s.get("minimumHosts")
                        .map(h -> h.integer(1, Integer.MAX_VALUE))
                        .orElse(defaults.successRateMinimumHosts());
                int volume =
                    s.get("requestVolume")
                        .map(h -> h.integer(1, Integer.MAX_VALUE))
                        .orElse(defaults.successRateRequestVolume());
                double factor =
                    s.get("stdevFactor")
                        .map(h -> h.number(0, 100))
                        .orElse(defaults.successRateStdevFactor());
                v.run(() -> b.successRate(hosts, volume, factor));
              }
            });
    m.get("interval").ifPresent(v -> v.run(() -> b.interval(v.duration())));
    m.get("baseEjectionTime").ifPresent(v -> v.run(() -> b.baseEjectionTime(v.duration())));
    m.get("maxEjectionTime").ifPresent(v -> v.run(() -> b.maxEjectionTime(v.duration())));
    m.get("maxEjectionPercent").ifPresent(v -> v.run(() -> b.maxEjectionPercent(v.number(0, 100))));
    return java.util.Optional.of(n.apply(b::build));
  }

  private HealthChecker healthCheck(ConfigNode n, LoadBalancer<Endpoint> balancer) {
    ConfigNode.Mapping m = n.map(HEALTH_KEYS);
    String type =
        m.get("type")
            .map(t -> t.oneOf("health check type", Map.of("http", "http", "tcp", "tcp")))
            .orElse("http");
    Duration timeout = m.get("timeout").map(ConfigNode::duration).orElse(Duration.ofSeconds(1));
    if (timeout.isZero() || timeout.isNegative()) {
      throw m.get("timeout").orElseThrow().error("must be positive, was 0");
    }
    HealthCheck check;
    if (type.equals("tcp")) {
      for (String k : List.of("path", "expectedStatus")) {
        if (m.has(k)) {
          throw m.keyError(k, "'" + k + "' applies only to type: http");
        }
      }
      check = HealthChecks.tcp(timeout);
    } else {
      ConfigNode pathNode = m.get("path").orElse(null);
      String path = pathNode == null ? "/health" : pathNode.string();
      if (!path.startsWith("/")) {
        throw pathNode.error("must start with '/', was '" + path + "'");
      }
      int status = m.get("expectedStatus").map(s -> s.integer(100, 599)).orElse(200);
      check = n.apply(() -> HealthChecks.http(path, status, timeout));
    }
    HealthChecker.Builder b = HealthChecker.builder(check).scheduler(resources.scheduler());
    m.get("interval").ifPresent(v -> b.interval(v.duration()));
    m.get("jitter").ifPresent(v -> b.jitter(v.number(0, 0.999)));
    m.get("healthyThreshold").ifPresent(v -> b.healthyThreshold(v.integer(1, 100)));
    m.get("unhealthyThreshold").ifPresent(v -> b.unhealthyThreshold(v.integer(1, 100)));
    m.get("seed").ifPresent(v -> b.seed(v.longValue(Long.MIN_VALUE, Long.MAX_VALUE)));
    return n.apply(() -> b.build(balancer));
  }

  private static void breaker(ConfigNode n, BackendPool.Builder pool) {
    if (n.isScalar()) {
      if (n.bool()) {
        pool.circuitBreaker(CircuitBreakerConfig.ofDefaults());
      }
      return;
    }
    ConfigNode.Mapping m = n.map(BREAKER_KEYS);
    CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();
    if (m.has("countWindow") && m.has("timeWindow")) {
      throw m.keyError("timeWindow", "give either countWindow or timeWindow, not both");
    }
    m.get("countWindow").ifPresent(v -> v.run(() -> b.countBasedWindow(v.integer(1, 1_000_000))));
    m.get("timeWindow")
        .ifPresent(
            v -> {
              Duration d = v.duration();
              if (d.toNanos() % 1_000_000_000L != 0 || d.toSeconds() < 1 || d.toSeconds() > 3600) {
                throw v.error("must be whole seconds in [1s, 3600s], was '" + d + "'");
              }
              v.run(() -> b.timeBasedWindow((int) d.toSeconds()));
            });
    m.get("minimumNumberOfCalls")
        .ifPresent(v -> v.run(() -> b.minimumNumberOfCalls(v.integer(1, Integer.MAX_VALUE))));
    m.get("failureRateThreshold")
        .ifPresent(v -> v.run(() -> b.failureRateThreshold((float) v.number(0, 100))));
    m.get("slowCallRateThreshold")
        .ifPresent(v -> v.run(() -> b.slowCallRateThreshold((float) v.number(0, 100))));
    m.get("slowCallDurationThreshold")
        .ifPresent(v -> v.run(() -> b.slowCallDurationThreshold(v.duration())));
    m.get("slowCallDetection").ifPresent(v -> b.slowCallDetection(v.bool()));
    m.get("permittedCallsInHalfOpenState")
        .ifPresent(v -> v.run(() -> b.permittedCallsInHalfOpenState(v.integer(1, 1_000_000))));
    m.get("waitDurationInOpenState")
        .ifPresent(v -> v.run(() -> b.waitDurationInOpenState(v.duration())));
    m.get("openWaitBackoff")
        .ifPresent(
            v -> {
              ConfigNode.Mapping o = v.map(BACKOFF_KEYS);
              double mult = o.required("multiplier").number(1, 1000);
              Duration max = o.required("maxWait").duration();
              v.run(() -> b.openWaitBackoff(mult, max));
            });
    CircuitBreakerConfig config = n.apply(b::build);
    pool.circuitBreaker(config);
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return List.copyOf(out);
  }
}
