package io.dsblocks.loadbalancer.internal.config;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.config.ConfigException;
import io.dsblocks.loadbalancer.health.HealthChecker;
import io.dsblocks.loadbalancer.proxy.L4ProxyConfig;
import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.dsblocks.loadbalancer.proxy.Route;
import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.RateLimiters;
import io.dsblocks.ratelimit.retry.RetryBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Turns configuration text into proxy configurations: composes the YAML into a node tree (so every
 * node keeps its line and column), checks it against the schema while mapping it onto the builders,
 * and reports the first problem as a {@link ConfigException} at the offending node. Stateless and
 * thread-safe (each read uses its own state).
 */
public final class ConfigReader {
  static final List<String> COMMON_KEYS =
      List.of(
          "mode",
          "listen",
          "ioThreads",
          "nativeTransport",
          "maxConnections",
          "idleTimeout",
          "shutdownTimeout",
          "pools");
  static final List<String> HTTP_ONLY_KEYS =
      List.of(
          "routes",
          "maxInitialLineLength",
          "maxHeaderSize",
          "maxResponseHeaderSize",
          "maxBodySize",
          "allowedMethods",
          "headerReadTimeout",
          "requestTimeout",
          "maxRetries",
          "retryBudget",
          "viaName",
          "trustForwardedHeaders",
          "accessLog",
          "tls",
          "auth");
  static final List<String> TCP_ONLY_KEYS = List.of("connectTimeout", "maxConnectAttempts");
  static final List<String> HTTP_KEYS = PoolReader.concat(COMMON_KEYS, HTTP_ONLY_KEYS);
  static final List<String> TCP_KEYS = PoolReader.concat(COMMON_KEYS, TCP_ONLY_KEYS);
  static final List<String> LISTEN_KEYS = List.of("host", "port");
  static final List<String> ROUTE_KEYS =
      List.of(
          "name",
          "hosts",
          "pathPrefix",
          "headers",
          "pool",
          "requestTimeout",
          "maxRetries",
          "rateLimit",
          "auth");
  static final List<String> RATE_LIMIT_KEYS = List.of("rates", "burst");
  static final List<String> RETRY_BUDGET_KEYS = List.of("percent", "minPerSecond", "window");

  /**
   * Every key the schema defines anywhere (for tests that mutate keys of valid files).
   *
   * @return the key names
   */
  public static Set<String> schemaKeys() {
    Set<String> all = new TreeSet<>();
    for (List<String> l :
        List.of(
            HTTP_KEYS,
            TCP_KEYS,
            LISTEN_KEYS,
            ROUTE_KEYS,
            RATE_LIMIT_KEYS,
            RETRY_BUDGET_KEYS,
            PoolReader.HTTP_KEYS,
            PoolReader.ENDPOINT_KEYS,
            PoolReader.HEALTH_KEYS,
            PoolReader.OUTLIER_KEYS,
            PoolReader.SUCCESS_RATE_KEYS,
            PoolReader.BREAKER_KEYS,
            PoolReader.BACKOFF_KEYS,
            PoolReader.ZONE_KEYS,
            PoolReader.SLOW_START_KEYS,
            TlsReader.KEYS,
            TlsReader.SNI_CERT_KEYS,
            AuthReader.KEYS,
            AuthReader.API_KEY_KEYS,
            AuthReader.API_KEY_ENTRY_KEYS,
            AuthReader.JWT_KEYS,
            AuthReader.JWT_KEY_ENTRY_KEYS,
            AuthReader.SECRET_KEYS,
            AuthReader.MTLS_KEYS,
            AuthReader.POLICY_KEYS,
            AuthReader.RULE_KEYS)) {
      all.addAll(l);
    }
    return all;
  }

  /**
   * What a file produced.
   *
   * @param mode {@code http} or {@code tcp}
   * @param http the L7 configuration (mode http), else null
   * @param tcp the L4 configuration (mode tcp), else null
   * @param balancers the pools' balancers by pool name
   * @param healthCheckers the pools' health checkers by pool name (only pools with a check)
   * @param scheduler runs the health checks; null without health checks
   * @param accessLog the access log writer, or null
   */
  public record Result(
      String mode,
      ProxyConfig http,
      L4ProxyConfig tcp,
      Map<String, LoadBalancer<Endpoint>> balancers,
      Map<String, HealthChecker> healthCheckers,
      ScheduledExecutorService scheduler,
      AccessLogWriter accessLog) {}

  private ConfigReader() {}

  /**
   * Reads configuration text.
   *
   * @param yaml the text
   * @param source its name, base directory and environment
   * @return the configurations
   * @throws ConfigException at the first problem
   */
  public static Result read(String yaml, Source source) {
    Node root = compose(yaml, source);
    Resources resources = new Resources();
    try {
      return new ConfigReader().readRoot(new ConfigNode(root, "", source), resources);
    } catch (RuntimeException e) {
      ScheduledExecutorService s = resources.schedulerOrNull();
      if (s != null) {
        s.shutdownNow();
      }
      throw e;
    }
  }

  private static Node compose(String yaml, Source source) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(source.name())
            .setAllowDuplicateKeys(false)
            .setMaxAliasesForCollections(50)
            .setCodePointLimit(4 << 20)
            .build();
    Optional<Node> node;
    try {
      // The composer (not the constructor): a node tree keeps every node's line and column.
      node =
          new Composer(settings, new ParserImpl(settings, new StreamReader(settings, yaml)))
              .getSingleNode();
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark =
          e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
      String problem =
          "invalid YAML: "
              + (e.getContext() != null ? e.getContext() + ", " : "")
              + (e.getProblem() != null ? e.getProblem() : e.getMessage());
      throw new ConfigException(
          source.name(),
          mark.map(m -> m.getLine() + 1).orElse(0),
          mark.map(m -> m.getColumn() + 1).orElse(0),
          "",
          problem,
          e);
    } catch (YamlEngineException e) {
      throw source.error("invalid YAML: " + e.getMessage(), e);
    }
    if (node.isEmpty()) {
      throw source.error("the configuration is empty", null);
    }
    return node.get();
  }

  private Result readRoot(ConfigNode root, Resources resources) {
    ConfigNode.Mapping probe = root.freeMap("a mapping (mode, listen, pools, routes, ...)");
    String mode =
        probe
            .get("mode")
            .map(n -> n.oneOf("mode", Map.of("http", "http", "tcp", "tcp")))
            .orElse("http");
    boolean http = mode.equals("http");
    List<String> otherOnly = http ? TCP_ONLY_KEYS : HTTP_ONLY_KEYS;
    for (String k : probe.entries().keySet()) {
      if (otherOnly.contains(k)) {
        throw probe.keyError(
            k,
            "'"
                + k
                + "' is only allowed with mode: "
                + (http ? "tcp" : "http")
                + " (mode is "
                + mode
                + ")");
      }
    }
    ConfigNode.Mapping m = root.map(http ? HTTP_KEYS : TCP_KEYS);

    // Pools first: routes refer to them.
    ConfigNode poolsNode = m.required("pools");
    ConfigNode.Mapping poolsMap = poolsNode.freeMap("a mapping of pool names to pools");
    if (poolsMap.entries().isEmpty()) {
      throw poolsNode.error("must define at least one pool");
    }
    if (!http && poolsMap.entries().size() != 1) {
      throw poolsNode.error(
          "mode tcp needs exactly one pool, found "
              + poolsMap.entries().size()
              + " "
              + poolsMap.entries().keySet());
    }
    PoolReader poolReader = new PoolReader(resources);
    Map<String, PoolReader.Pool> pools = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : poolsMap.entries().entrySet()) {
      pools.put(e.getKey(), poolReader.read(e.getKey(), e.getValue(), http));
    }
    Map<String, LoadBalancer<Endpoint>> balancers = new LinkedHashMap<>();
    Map<String, HealthChecker> checkers = new LinkedHashMap<>();
    for (PoolReader.Pool p : pools.values()) {
      balancers.put(p.name(), p.balancer());
      if (p.healthChecker() != null) {
        checkers.put(p.name(), p.healthChecker());
      }
    }

    HostPort listen = listen(m);
    Optional<ConfigNode> ioThreads = m.get("ioThreads");
    Optional<ConfigNode> nativeTransport = m.get("nativeTransport");
    Optional<ConfigNode> maxConnections = m.get("maxConnections");
    Optional<ConfigNode> idleTimeout = m.get("idleTimeout");
    Optional<ConfigNode> shutdownTimeout = m.get("shutdownTimeout");

    if (!http) {
      PoolReader.Pool pool = pools.values().iterator().next();
      L4ProxyConfig.Builder b = L4ProxyConfig.builder(pool.balancer());
      root.run(() -> b.bind(listen.host(), listen.port()));
      ioThreads.ifPresent(v -> b.ioThreads(v.integer(1, 1024)));
      nativeTransport.ifPresent(v -> b.nativeTransport(v.bool()));
      maxConnections.ifPresent(v -> v.run(() -> b.maxConnections(v.integer(1, 10_000_000))));
      idleTimeout.ifPresent(v -> v.run(() -> b.idleTimeout(v.duration())));
      shutdownTimeout.ifPresent(v -> v.run(() -> b.shutdownTimeout(v.duration())));
      m.get("connectTimeout").ifPresent(v -> v.run(() -> b.connectTimeout(v.duration())));
      m.get("maxConnectAttempts")
          .ifPresent(v -> v.run(() -> b.maxConnectAttempts(v.integer(1, 100))));
      L4ProxyConfig config = root.apply(b::build);
      return new Result(mode, null, config, balancers, checkers, resources.schedulerOrNull(), null);
    }

    ProxyConfig.Builder b = ProxyConfig.builder();
    root.run(() -> b.bind(listen.host(), listen.port()));
    for (PoolReader.Pool p : pools.values()) {
      b.pool(p.backendPool());
    }
    ioThreads.ifPresent(v -> b.ioThreads(v.integer(1, 1024)));
    nativeTransport.ifPresent(v -> b.nativeTransport(v.bool()));
    maxConnections.ifPresent(v -> b.maxConnections(v.integer(1, 10_000_000)));
    idleTimeout.ifPresent(v -> v.run(() -> b.idleTimeout(v.duration())));
    shutdownTimeout.ifPresent(v -> v.run(() -> b.shutdownTimeout(v.duration())));
    m.get("maxInitialLineLength").ifPresent(v -> v.run(() -> b.maxInitialLineLength(v.intSize())));
    m.get("maxHeaderSize").ifPresent(v -> v.run(() -> b.maxHeaderSize(v.intSize())));
    m.get("maxResponseHeaderSize")
        .ifPresent(v -> v.run(() -> b.maxResponseHeaderSize(v.intSize())));
    m.get("maxBodySize").ifPresent(v -> v.run(() -> b.maxBodySize(v.size())));
    m.get("allowedMethods")
        .ifPresent(v -> v.run(() -> b.allowedMethods(new LinkedHashSet<>(v.strings()))));
    m.get("headerReadTimeout").ifPresent(v -> v.run(() -> b.headerReadTimeout(v.duration())));
    m.get("requestTimeout").ifPresent(v -> v.run(() -> b.requestTimeout(v.duration())));
    m.get("maxRetries").ifPresent(v -> b.maxRetries(v.integer(0, 10)));
    m.get("retryBudget").ifPresent(v -> b.retryBudget(retryBudget(v)));
    m.get("viaName").ifPresent(v -> v.run(() -> b.viaName(v.string())));
    m.get("trustForwardedHeaders").ifPresent(v -> b.trustForwardedHeaders(v.bool()));
    AccessLogWriter accessLog = m.get("accessLog").map(ConfigReader::accessLog).orElse(null);
    if (accessLog != null) {
      b.accessLog(accessLog);
    }
    m.get("tls")
        .ifPresent(
            v -> {
              TlsReader.Tls tls = TlsReader.read(v);
              b.tls(tls.config());
              b.http2(tls.http2());
            });
    AuthReader auth = new AuthReader();
    m.get("auth").ifPresent(auth::readSection);
    if (auth.rules() != null) {
      b.auth(auth.rules());
    }
    ConfigNode routesNode = m.required("routes");
    List<ConfigNode> routes = routesNode.list();
    if (routes.isEmpty()) {
      throw routesNode.error("must define at least one route");
    }
    Map<String, ConfigNode> routeNames = new LinkedHashMap<>();
    for (ConfigNode r : routes) {
      b.route(route(r, pools.keySet(), routeNames, auth));
    }
    ProxyConfig config = root.apply(b::build);
    return new Result(
        mode, config, null, balancers, checkers, resources.schedulerOrNull(), accessLog);
  }

  private static HostPort listen(ConfigNode.Mapping m) {
    Optional<ConfigNode> n = m.get("listen");
    if (n.isEmpty()) {
      return new HostPort("127.0.0.1", 8080);
    }
    ConfigNode l = n.get();
    if (l.isMapping()) {
      ConfigNode.Mapping lm = l.map(LISTEN_KEYS);
      String host = lm.get("host").map(ConfigNode::string).orElse("127.0.0.1");
      return new HostPort(host, lm.required("port").integer(0, 65_535));
    }
    String s = l.string();
    if (s.chars().allMatch(Character::isDigit)) {
      return new HostPort("127.0.0.1", l.integer(0, 65_535));
    }
    return HostPort.parse(l, s, 0);
  }

  private static Route route(
      ConfigNode n, Set<String> pools, Map<String, ConfigNode> names, AuthReader auth) {
    ConfigNode.Mapping m = n.map(ROUTE_KEYS);
    ConfigNode nameNode = m.required("name");
    String name = nameNode.string();
    ConfigNode first = names.putIfAbsent(name, nameNode);
    if (first != null) {
      throw nameNode.error("duplicate route name '" + name + "' (also " + first.path() + ")");
    }
    Route.Builder b = nameNode.apply(() -> Route.builder(name));
    ConfigNode poolNode = m.required("pool");
    String pool = poolNode.string();
    if (!pools.contains(pool)) {
      throw poolNode.error(
          "unknown pool '"
              + pool
              + "'"
              + Suggestions.didYouMean(pool, pools)
              + "; pools are "
              + pools);
    }
    b.toPool(pool);
    m.get("hosts")
        .ifPresent(
            v -> {
              for (ConfigNode h : v.listOrOne()) {
                h.run(() -> b.host(h.string()));
              }
            });
    m.get("pathPrefix").ifPresent(v -> v.run(() -> b.pathPrefix(v.string())));
    m.get("headers")
        .ifPresent(
            v -> {
              for (Map.Entry<String, ConfigNode> e :
                  v.freeMap("a mapping of header names to values").entries().entrySet()) {
                String value = e.getValue().string();
                e.getValue().run(() -> b.header(e.getKey(), value));
              }
            });
    m.get("requestTimeout").ifPresent(v -> v.run(() -> b.requestTimeout(v.duration())));
    m.get("maxRetries").ifPresent(v -> b.maxRetries(v.integer(0, 10)));
    m.get("rateLimit").ifPresent(v -> b.rateLimiter(RateLimiters.create(rateLimit(v, name))));
    m.get("auth").ifPresent(v -> b.auth(auth.policy(v)));
    return n.apply(b::build);
  }

  /**
   * A token bucket: the first rate is the limit (refill rate and, without {@code burst}, the bucket
   * size); further rates are extra bandwidths every request must also fit.
   */
  private static RateLimiterConfig rateLimit(ConfigNode n, String route) {
    List<ConfigNode> rates;
    Optional<ConfigNode> burst = Optional.empty();
    if (n.isMapping()) {
      ConfigNode.Mapping m = n.map(RATE_LIMIT_KEYS);
      rates = m.required("rates").listOrOne();
      burst = m.get("burst");
    } else {
      rates = n.listOrOne();
    }
    if (rates.isEmpty()) {
      throw n.error("must name at least one rate, e.g. 100/s");
    }
    RateLimiterConfig.Builder b =
        RateLimiterConfig.builder()
            .name("route:" + route)
            .algorithm(RateLimiterConfig.Algorithm.TOKEN_BUCKET);
    Values.Rate first = rates.get(0).rate();
    rates.get(0).run(() -> b.limit(first.permits(), first.period()));
    for (ConfigNode r : rates.subList(1, rates.size())) {
      Values.Rate rate = r.rate();
      r.run(() -> b.addBandwidth(rate.permits(), rate.period()));
    }
    burst.ifPresent(v -> v.run(() -> b.burst(v.longValue(1, Long.MAX_VALUE))));
    return n.apply(b::build);
  }

  private static RetryBudget retryBudget(ConfigNode n) {
    ConfigNode.Mapping m = n.map(RETRY_BUDGET_KEYS);
    RetryBudget.Builder b = RetryBudget.builder();
    m.get("percent").ifPresent(v -> v.run(() -> b.percentOfRequests(v.number(0, 1000))));
    m.get("minPerSecond")
        .ifPresent(v -> v.run(() -> b.minRetriesPerSecond(v.integer(0, Integer.MAX_VALUE))));
    m.get("window")
        .ifPresent(
            v -> {
              Duration d = v.duration();
              v.run(() -> b.window(d));
            });
    return n.apply(b::build);
  }

  private static AccessLogWriter accessLog(ConfigNode n) {
    String dest = n.string();
    if (dest.equals("stdout") || dest.equals("stderr")) {
      return new AccessLogWriter(dest, null);
    }
    Path file = n.source().baseDirectory().resolve(dest).toAbsolutePath().normalize();
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw n.error("access log directory '" + dir + "' does not exist");
    }
    if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir)) {
      throw n.error("access log file '" + file + "' is not writable");
    }
    return new AccessLogWriter(dest, file);
  }
}
