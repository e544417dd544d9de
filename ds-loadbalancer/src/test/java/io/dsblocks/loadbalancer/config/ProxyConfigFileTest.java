package io.dsblocks.loadbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.auth.AuthRequest;
import io.dsblocks.loadbalancer.auth.AuthResult;
import io.dsblocks.loadbalancer.auth.RequestHeaders;
import io.dsblocks.loadbalancer.proxy.BackendPool;
import io.dsblocks.loadbalancer.proxy.L4ProxyConfig;
import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.dsblocks.loadbalancer.proxy.Route;
import io.dsblocks.loadbalancer.tls.ClientAuthMode;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.dsblocks.ratelimit.RateLimiterConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented example and the smaller forms parse to exactly the builders' values. */
class ProxyConfigFileTest {
  @TempDir Path tmp;

  @Test
  void documentedExampleParsesToTheExpectedConfiguration() throws Exception {
    ExampleDir ex = new ExampleDir(tmp);
    ProxyConfigFile file = ProxyConfigFile.loader().environment(ExampleDir.ENV).load(ex.config);

    assertThat(file.mode()).isEqualTo(ProxyConfigFile.Mode.HTTP);
    assertThat(file.tcp()).isEmpty();
    ProxyConfig c = file.http().orElseThrow();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8443);
    assertThat(c.ioThreads()).isEqualTo(2);
    assertThat(c.maxConnections()).isEqualTo(20_000);
    assertThat(c.maxHeaderSize()).isEqualTo(16 * 1024);
    assertThat(c.maxBodySize()).isEqualTo(8L << 20);
    assertThat(c.allowedMethods())
        .containsExactlyInAnyOrder("GET", "HEAD", "POST", "PUT", "DELETE");
    assertThat(c.headerReadTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.maxRetries()).isEqualTo(1);
    assertThat(c.retryBudget().toString()).contains("20.0% of requests + 5/s over 10s");
    assertThat(c.viaName()).isEqualTo("edge-1");
    assertThat(c.accessLog()).isPresent();
    assertThat(file.accessLog()).contains("stdout");

    // TLS: paths resolved against the file's directory, SNI entry, mTLS, ALPN from http2.
    TlsConfig tls = c.tls().orElseThrow();
    assertThat(tls.defaultCertificate().certificateChain())
        .isEqualTo(tmp.resolve("certs/default.pem"));
    assertThat(tls.sniCertificates()).hasSize(1);
    assertThat(tls.sniCertificates().get(0).serverName()).isEqualTo("api.example.com");
    assertThat(tls.sniCertificates().get(0).privateKey()).isEqualTo(tmp.resolve("certs/api.key"));
    assertThat(tls.clientAuth()).isEqualTo(ClientAuthMode.OPTIONAL);
    assertThat(tls.trustedClientCertificates())
        .containsExactly(tmp.resolve("certs/clients-ca.pem"));
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.applicationProtocols()).containsExactly("h2", "http/1.1");
    assertThat(tls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.http2()).isTrue();

    // Pools: balancers with their strategies and endpoints, connection settings, breakers.
    Map<String, LoadBalancer<Endpoint>> lbs = file.loadBalancers();
    assertThat(lbs).containsOnlyKeys("api", "static");
    LoadBalancer<Endpoint> api = lbs.get("api");
    assertThat(api.strategy().name()).isEqualTo("powerOfTwoChoices");
    assertThat(api.endpoints())
        .extracting(Endpoint::id)
        .containsExactly("10.0.0.1:8080", "10.0.0.2:8080");
    assertThat(api.endpoints().get(1).weight()).isEqualTo(2);
    assertThat(api.endpoints().get(1).zone()).isEqualTo("eu-west-1a");
    assertThat(lbs.get("static").strategy().name()).isEqualTo("maglev");
    assertThat(file.healthCheckers()).containsOnlyKeys("api");
    BackendPool apiPool = c.pools().get("api");
    assertThat(apiPool.picker()).isSameAs(api);
    assertThat(apiPool.connectTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(apiPool.maxIdleConnectionsPerEndpoint()).isEqualTo(64);
    assertThat(apiPool.circuitBreakers()).isPresent();
    var breaker = apiPool.circuitBreakers().get().apply(api.endpoints().get(0));
    assertThat(breaker.config().failureRateThreshold()).isEqualTo(50f);
    assertThat(breaker.config().slidingWindowSize()).isEqualTo(100);
    assertThat(breaker.config().minimumNumberOfCalls()).isEqualTo(20);
    assertThat(breaker.config().waitDurationInOpenState()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.pools().get("static").circuitBreakers()).isEmpty();

    // Routes in order, with their matchers, limits and policies.
    List<Route> routes = c.routes();
    assertThat(routes)
        .extracting(Route::name)
        .containsExactly("orders", "canary", "assets", "default");
    Route orders = routes.get(0);
    assertThat(orders.hosts()).containsExactly("api.example.com");
    assertThat(orders.pathPrefix()).isEqualTo("/v1/orders/");
    assertThat(orders.pool()).isEqualTo("api");
    assertThat(orders.requestTimeout()).contains(Duration.ofSeconds(5));
    RateLimiterConfig rl = orders.rateLimiter().orElseThrow().config();
    assertThat(rl.algorithm()).isEqualTo(RateLimiterConfig.Algorithm.TOKEN_BUCKET);
    assertThat(rl.limit()).isEqualTo(100);
    assertThat(rl.period()).isEqualTo(Duration.ofSeconds(1));
    assertThat(rl.burst()).isEqualTo(200);
    assertThat(rl.bandwidths())
        .extracting(RateLimiterConfig.Bandwidth::capacity, RateLimiterConfig.Bandwidth::period)
        .contains(org.assertj.core.groups.Tuple.tuple(5000L, Duration.ofHours(1)));
    assertThat(routes.get(1).headers()).isEqualTo(Map.of("x-canary", "1"));
    assertThat(routes.get(1).maxRetries()).isZero();
    assertThat(routes.get(2).rateLimiter().orElseThrow().config().limit()).isEqualTo(1000);
    assertThat(routes.get(3).rateLimiter()).isEmpty();
    assertThat(routes.get(3).auth()).isEmpty();

    // Proxy-wide rules: /health is open, everything else needs one of the three authenticators;
    // the API key from the environment is accepted.
    var rules = c.auth().orElseThrow();
    assertThat(rules.evaluate(AuthRequest.of("GET", "/health", RequestHeaders.empty())).isAllowed())
        .isTrue();
    assertThat(rules.evaluate(AuthRequest.of("GET", "/x", RequestHeaders.empty())).status())
        .isEqualTo(401);
    AuthResult withKey =
        rules.evaluate(
            AuthRequest.of("GET", "/x", RequestHeaders.of("X-API-Key", ExampleDir.PARTNER_A_KEY)));
    assertThat(withKey.isAllowed()).isTrue();
    assertThat(withKey.principal().orElseThrow().name()).isEqualTo("partner-a");
    assertThat(
            rules
                .evaluate(AuthRequest.of("GET", "/x", RequestHeaders.of("X-API-Key", "wrong")))
                .isAllowed())
        .isFalse();

    // Route policy: a JWT signed with the secret from the environment, with the scope.
    var policy = orders.auth().orElseThrow();
    String good = hs256(ExampleDir.JWT_SECRET, "orders:read");
    String noScope = hs256(ExampleDir.JWT_SECRET, "other");
    String forged = hs256("another-secret-another-secret-another", "orders:read");
    assertThat(policy.evaluate(bearer(good)).isAllowed()).isTrue();
    assertThat(policy.evaluate(bearer(noScope)).status()).isEqualTo(403);
    assertThat(policy.evaluate(bearer(forged)).status()).isEqualTo(401);
    assertThat(
            policy.evaluate(AuthRequest.of("GET", "/v1/orders/1", RequestHeaders.empty())).status())
        .isEqualTo(401);
  }

  @Test
  void theReadmeExamplesParse() throws Exception {
    ExampleDir ex = new ExampleDir(tmp);
    String readme = java.nio.file.Files.readString(Path.of("README.md"));
    String section =
        readme.substring(
            readme.indexOf("## Configuration file"), readme.indexOf("## Global routing"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("```yaml\n(.*?)```", java.util.regex.Pattern.DOTALL)
            .matcher(section);
    int n = 0;
    while (m.find()) {
      ProxyConfigFile f = ex.parse(m.group(1));
      assertThat(f.loadBalancers()).isNotEmpty();
      n++;
    }
    assertThat(n).isEqualTo(2);
  }

  @Test
  void minimalHttpFileUsesTheBuilderDefaults() {
    ProxyConfigFile f =
        ProxyConfigFile.parse(
            "pools:\n  web:\n    strategy: roundRobin\n    endpoints: [127.0.0.1:9000]\n"
                + "routes:\n  - {name: all, pool: web}\n",
            "min.yaml");
    ProxyConfig c = f.http().orElseThrow();
    ProxyConfig d =
        ProxyConfig.builder()
            .pool(BackendPool.of("web", f.loadBalancers().get("web")))
            .route(Route.all("all", "web"))
            .build();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.maxHeaderSize()).isEqualTo(d.maxHeaderSize());
    assertThat(c.maxBodySize()).isEqualTo(d.maxBodySize());
    assertThat(c.requestTimeout()).isEqualTo(d.requestTimeout());
    assertThat(c.allowedMethods()).isEqualTo(d.allowedMethods());
    assertThat(c.tls()).isEmpty();
    assertThat(c.auth()).isEmpty();
    assertThat(c.http2()).isEqualTo(d.http2());
    assertThat(c.accessLog()).isEmpty();
    assertThat(f.healthCheckers()).isEmpty();
    assertThat(f.loadBalancers().get("web").strategy().name()).isEqualTo("roundRobin");
  }

  @Test
  void tcpModeBuildsAnL4Config() {
    ProxyConfigFile f =
        ProxyConfigFile.parse(
            String.join(
                "\n",
                "mode: tcp",
                "listen: 0.0.0.0:5432",
                "connectTimeout: 250ms",
                "maxConnectAttempts: 2",
                "idleTimeout: 10m",
                "maxConnections: 500",
                "nativeTransport: true",
                "pools:",
                "  db:",
                "    strategy: least-connections",
                "    endpoints:",
                "      - {host: 10.0.0.5, port: 5432, id: primary}",
                "      - {address: '[::1]:5433', weight: 3}",
                "    healthCheck: {type: tcp, interval: 2s, timeout: 300ms}"),
            "tcp.yaml");
    assertThat(f.mode()).isEqualTo(ProxyConfigFile.Mode.TCP);
    assertThat(f.http()).isEmpty();
    L4ProxyConfig c = f.tcp().orElseThrow();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(5432);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.maxConnectAttempts()).isEqualTo(2);
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.maxConnections()).isEqualTo(500);
    assertThat(c.nativeTransport()).isTrue();
    assertThat(c.picker()).isSameAs(f.loadBalancers().get("db"));
    LoadBalancer<Endpoint> db = f.loadBalancers().get("db");
    assertThat(db.strategy().name()).isEqualTo("leastConnections");
    assertThat(db.endpoints()).extracting(Endpoint::id).containsExactly("primary", "::1:5433");
    assertThat(db.endpoints().get(1).host()).isEqualTo("::1");
    assertThat(db.endpoints().get(1).weight()).isEqualTo(3);
    assertThat(f.healthCheckers()).containsOnlyKeys("db");
  }

  @Test
  void everyStrategyNameAndParameterFormMapsToItsStrategy() {
    Map<String, String> expected =
        Map.ofEntries(
            Map.entry("roundRobin", "roundRobin"),
            Map.entry("round-robin", "roundRobin"),
            Map.entry("smoothWeightedRoundRobin", "smoothWeightedRoundRobin"),
            Map.entry("random", "random"),
            Map.entry("weightedRandom", "weightedRandom"),
            Map.entry("leastRequest", "leastRequest"),
            Map.entry("leastConnections", "leastConnections"),
            Map.entry("powerOfTwoChoices", "powerOfTwoChoices"),
            Map.entry("p2c", "powerOfTwoChoices"),
            Map.entry("peakEwma", "peakEwma"),
            Map.entry("ringHash", "ringHash"),
            Map.entry("maglev", "maglev"),
            Map.entry("boundedLoadHash", "boundedLoadHash"),
            Map.entry("ipHash", "ipHash"),
            Map.entry("{name: peakEwma, decay: 5s, initialEstimate: 2ms}", "peakEwma"),
            Map.entry("{name: ringHash, pointsPerWeight: 50}", "ringHash"),
            Map.entry("{name: boundedLoadHash, capacityFactor: 1.5}", "boundedLoadHash"));
    for (Map.Entry<String, String> e : expected.entrySet()) {
      ProxyConfigFile f =
          ProxyConfigFile.parse(
              "pools:\n  p:\n    strategy: "
                  + e.getKey()
                  + "\n    endpoints: [h:1]\nroutes: [{name: r, pool: p}]\n",
              "s.yaml");
      assertThat(f.loadBalancers().get("p").strategy().name())
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void parsingStartsNoThread() {
    Set<String> before = threadNames();
    ProxyConfigFile.parse(
        "pools:\n  p:\n    strategy: p2c\n    endpoints: [h:1]\n"
            + "    healthCheck: {path: /ready, interval: 1s}\nroutes: [{name: r, pool: p}]\n",
        "t.yaml");
    assertThat(threadNames()).isEqualTo(before);
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("health-check") || n.startsWith("access-log"))
        .collect(Collectors.toSet());
  }

  private static AuthRequest bearer(String token) {
    return AuthRequest.of(
        "GET", "/v1/orders/1", RequestHeaders.of("Authorization", "Bearer " + token));
  }

  /** A compact HS256 JWT for the example's issuer and audience, valid for ten minutes. */
  static String hs256(String secret, String scope) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString(
            "{\"alg\":\"HS256\",\"kid\":\"hs-2024\"}".getBytes(StandardCharsets.UTF_8));
    long exp = Instant.now().plusSeconds(600).getEpochSecond();
    String claims =
        "{\"sub\":\"u1\",\"iss\":\"https://issuer.example.com\",\"aud\":\"orders-api\",\"exp\":"
            + exp
            + ",\"scope\":\""
            + scope
            + "\"}";
    String payload = b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
    return header + "." + payload + "." + b64.encodeToString(sig);
  }
}
