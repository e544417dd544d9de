package io.dsblocks.loadbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.tls.IssuedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of invalid configuration names its line, column and item, with a clear problem. */
class ConfigErrorsTest {
  @TempDir Path tmp;
  private ExampleDir dir;

  @BeforeEach
  void setUp() {
    dir = new ExampleDir(tmp);
  }

  /** A valid two-pool file; tests replace one line. Line numbers are 1-based. */
  private static final String[] BASE = {
    "mode: http", // 1
    "listen: {host: 127.0.0.1, port: 0}", // 2
    "requestTimeout: 5s", // 3
    "maxRetries: 1", // 4
    "pools:", // 5
    "  web:", // 6
    "    strategy: roundRobin", // 7
    "    endpoints:", // 8
    "      - 127.0.0.1:9001", // 9
    "      - 127.0.0.1:9002", // 10
    "  api:", // 11
    "    strategy: p2c", // 12
    "    endpoints: [127.0.0.1:9003]", // 13
    "routes:", // 14
    "  - name: api", // 15
    "    pool: api", // 16
    "    rateLimit: 100/s", // 17
    "  - name: web", // 18
    "    pool: web", // 19
  };

  private static String with(int line, String replacement) {
    String[] lines = BASE.clone();
    lines[line - 1] = replacement;
    return String.join("\n", lines) + "\n";
  }

  private ConfigException error(String yaml) {
    try {
      dir.parse(yaml);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException for:\n" + yaml);
  }

  private static void at(ConfigException e, int line, int column, String path) {
    assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
    assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
    assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
    assertThat(e.getMessage())
        .startsWith("test.yaml:" + line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": "))
        .doesNotContain("\n");
  }

  @Test
  void theBaseFileIsValid() {
    assertThat(dir.parse(String.join("\n", BASE)).http().orElseThrow().routes()).hasSize(2);
  }

  @Test
  void unknownStrategyNamesTheAllowedOnesAndTheClosest() {
    ConfigException e = error(with(7, "    strategy: round-robbin"));
    at(e, 7, 15, "pools.web.strategy");
    assertThat(e.problem())
        .startsWith(
            "unknown strategy 'round-robbin' (did you mean 'roundRobin'?); allowed: roundRobin,")
        .contains("powerOfTwoChoices, p2c, peakEwma, ringHash, maglev, boundedLoadHash, ipHash");
  }

  @Test
  void emptyPool() {
    ConfigException e = error(with(13, "    endpoints: []"));
    at(e, 13, 16, "pools.api.endpoints");
    assertThat(e.problem()).isEqualTo("must not be empty: a pool needs at least one endpoint");
  }

  @Test
  void badPorts() {
    ConfigException listen = error(with(2, "listen: {host: 127.0.0.1, port: 70000}"));
    at(listen, 2, 33, "listen.port");
    assertThat(listen.problem()).isEqualTo("must be in [0, 65535], was 70000");

    ConfigException endpoint = error(with(10, "      - 127.0.0.1:0"));
    at(endpoint, 10, 9, "pools.web.endpoints[1]");
    assertThat(endpoint.problem()).isEqualTo("port must be in [1, 65535], was 0");

    ConfigException notANumber = error(with(2, "listen: 127.0.0.1:http"));
    at(notANumber, 2, 9, "listen");
    assertThat(notANumber.problem()).isEqualTo("port must be an integer in [0, 65535], was 'http'");
  }

  @Test
  void unknownKeyWithDidYouMeanAndTheAllowedKeys() {
    ConfigException e = error(with(12, "    stratgy: p2c"));
    at(e, 12, 5, "pools.api.stratgy");
    assertThat(e.problem())
        .isEqualTo(
            "unknown key 'stratgy' (did you mean 'strategy'?); allowed keys: strategy, endpoints,"
                + " panicThreshold, localZone, slowStart, seed, healthCheck, outlierDetection,"
                + " connectTimeout, maxIdleConnectionsPerEndpoint, circuitBreaker");

    ConfigException top = error(with(3, "requestTimout: 5s"));
    at(top, 3, 1, "requestTimout");
    assertThat(top.problem())
        .startsWith(
            "unknown key 'requestTimout' (did you mean 'requestTimeout'?); allowed keys: mode, listen,");

    ConfigException noHint = error(with(4, "colour: blue"));
    assertThat(noHint.problem()).startsWith("unknown key 'colour'; allowed keys: ");
  }

  @Test
  void wrongTypes() {
    ConfigException integer = error(with(4, "maxRetries: lots"));
    at(integer, 4, 13, "maxRetries");
    assertThat(integer.problem()).isEqualTo("must be an integer, was 'lots'");

    ConfigException range = error(with(4, "maxRetries: 11"));
    assertThat(range.problem()).isEqualTo("must be in [0, 10], was 11");

    ConfigException list = error(with(13, "    endpoints: 127.0.0.1:9003"));
    at(list, 13, 16, "pools.api.endpoints");
    assertThat(list.problem()).isEqualTo("must be a list, was '127.0.0.1:9003'");

    ConfigException duration = error(with(3, "requestTimeout: 5 seconds"));
    at(duration, 3, 17, "requestTimeout");
    assertThat(duration.problem())
        .isEqualTo(
            "must be a duration (a whole number with a unit ns, us, ms, s, m, h or d, e.g. 250ms,"
                + " 5s, 2m), was '5 seconds'");

    ConfigException mapping = error(with(4, "retryBudget: 20"));
    at(mapping, 4, 14, "retryBudget");
    assertThat(mapping.problem()).isEqualTo("must be a mapping, was '20'");

    ConfigException rate = error(with(17, "    rateLimit: 100 per second"));
    at(rate, 17, 16, "routes[0].rateLimit");
    assertThat(rate.problem())
        .startsWith("must be a rate (permits/period, e.g. 100/s, 5000/h, 10/500ms)");

    ConfigException bool = error(String.join("\n", BASE) + "\ntrustForwardedHeaders: yes\n");
    at(bool, 20, 24, "trustForwardedHeaders");
    assertThat(bool.problem()).isEqualTo("must be true or false, was 'yes'");
  }

  @Test
  void builderRangeErrorsKeepTheBuildersMessage() {
    ConfigException e = error(with(3, "requestTimeout: 2h"));
    at(e, 3, 17, "requestTimeout");
    assertThat(e.problem()).isEqualTo("requestTimeout must be in [PT0.001S, PT1H], was PT2H");
  }

  @Test
  void routeNamingAnUnknownPool() {
    ConfigException e = error(with(19, "    pool: webb"));
    at(e, 19, 11, "routes[1].pool");
    assertThat(e.problem())
        .isEqualTo("unknown pool 'webb' (did you mean 'web'?); pools are [web, api]");
  }

  @Test
  void missingAndDuplicateItems() {
    ConfigException missing = error(with(16, "    pathPrefix: /api/"));
    at(missing, 15, 5, "routes[0]");
    assertThat(missing.problem()).isEqualTo("missing required key 'pool'");

    ConfigException dupKey = error(with(4, "requestTimeout: 6s"));
    at(dupKey, 4, 1, "requestTimeout");
    assertThat(dupKey.problem()).isEqualTo("duplicate key 'requestTimeout' (first at line 3)");

    ConfigException dupRoute = error(with(18, "  - name: api"));
    at(dupRoute, 18, 11, "routes[1].name");
    assertThat(dupRoute.problem()).isEqualTo("duplicate route name 'api' (also routes[0].name)");

    ConfigException dupEndpoint = error(with(10, "      - 127.0.0.1:9001"));
    at(dupEndpoint, 10, 9, "pools.web.endpoints[1]");
    assertThat(dupEndpoint.problem())
        .startsWith("duplicate endpoint id '127.0.0.1:9001' (also pools.web.endpoints[0])");
  }

  @Test
  void malformedYamlNamesThePosition() {
    ConfigException e = error(with(13, "    endpoints: [127.0.0.1:9003"));
    assertThat(e.line()).isEqualTo(14);
    assertThat(e.path()).isEmpty();
    assertThat(e.problem()).startsWith("invalid YAML: ");
    assertThat(e.getMessage()).doesNotContain("\n");

    ConfigException tab = error(with(7, "\tstrategy: roundRobin"));
    assertThat(tab.line()).isEqualTo(7);
    assertThat(tab.problem()).startsWith("invalid YAML: ");

    ConfigException empty = error("# nothing here\n");
    assertThat(empty.getMessage()).isEqualTo("test.yaml: the configuration is empty");
  }

  @Test
  void modeSpecificKeys() {
    ConfigException routesInTcp = error(with(1, "mode: tcp"));
    at(routesInTcp, 3, 1, "requestTimeout");
    assertThat(routesInTcp.problem())
        .isEqualTo("'requestTimeout' is only allowed with mode: http (mode is tcp)");

    ConfigException tcpInHttp = error(with(4, "maxConnectAttempts: 3"));
    at(tcpInHttp, 4, 1, "maxConnectAttempts");
    assertThat(tcpInHttp.problem())
        .isEqualTo("'maxConnectAttempts' is only allowed with mode: tcp (mode is http)");

    ConfigException twoPools =
        error(
            "mode: tcp\npools:\n  a: {strategy: p2c, endpoints: [h:1]}\n  b: {strategy: p2c, endpoints: [h:2]}\n");
    at(twoPools, 3, 3, "pools");
    assertThat(twoPools.problem()).isEqualTo("mode tcp needs exactly one pool, found 2 [a, b]");

    ConfigException mode = error(with(1, "mode: udp"));
    at(mode, 1, 7, "mode");
    assertThat(mode.problem()).startsWith("unknown mode 'udp'; allowed: ");
  }

  @Test
  void strategyParametersMustFitTheStrategy() {
    ConfigException e = error(with(12, "    strategy: {name: p2c, tableSize: 7}"));
    at(e, 12, 27, "pools.api.strategy.tableSize");
    assertThat(e.problem())
        .isEqualTo(
            "'tableSize' does not apply to strategy powerOfTwoChoices (it has no parameters)");

    ConfigException slow = error(with(7, "    slowStart: 30s"));
    assertThat(slow.problem()).startsWith("missing required key 'strategy'");
  }

  private String tlsConfig(String cert, String key) {
    return String.join("\n", BASE)
        + "\ntls:\n  certificate:\n    cert: "
        + cert
        + "\n    key: "
        + key
        + "\n";
  }

  @Test
  void unreadableCertificate() {
    ConfigException e = error(tlsConfig("certs/missing.pem", "certs/default.key"));
    at(e, 22, 11, "tls.certificate.cert");
    assertThat(e.problem())
        .isEqualTo(
            "cannot read certificate file '"
                + tmp.resolve("certs/missing.pem")
                + "': no such file");

    ConfigException dirAsKey = error(tlsConfig("certs/default.pem", "certs"));
    at(dirAsKey, 23, 10, "tls.certificate.key");
    assertThat(dirAsKey.problem()).endsWith("': not a regular file");
  }

  @Test
  void keyThatDoesNotMatchTheCertificate() throws Exception {
    IssuedCertificate other = dir.issue("other.example.com");
    other.writePem(tmp.resolve("certs/other.pem"), tmp.resolve("certs/other.key"));
    ConfigException e = error(tlsConfig("certs/default.pem", "certs/other.key"));
    at(e, 22, 5, "tls.certificate");
    assertThat(e.problem()).contains("does not match the certificate in").contains("other.key");

    Files.writeString(tmp.resolve("certs/garbage.pem"), "not a certificate\n");
    ConfigException garbage = error(tlsConfig("certs/garbage.pem", "certs/default.key"));
    at(garbage, 22, 5, "tls.certificate");
  }

  @Test
  void tlsAndAuthCrossChecks() {
    ConfigException ca =
        error(
            String.join("\n", BASE)
                + "\ntls:\n  certificate: {cert: certs/default.pem, key: certs/default.key}\n  clientAuth: require\n");
    at(ca, 22, 15, "tls.clientAuth");
    assertThat(ca.problem())
        .isEqualTo(
            "clientAuth require needs clientCa: the CA file(s) client certificates must chain to");

    ConfigException unknownAuthenticator = error(with(17, "    auth: {anyOf: [bearer]}"));
    at(unknownAuthenticator, 17, 20, "routes[0].auth.anyOf[0]");
    assertThat(unknownAuthenticator.problem())
        .isEqualTo(
            "unknown authenticator 'bearer'; define it under auth.authenticators (or use anonymous or deny)");

    ConfigException env =
        error(
            String.join("\n", BASE)
                + "\nauth:\n  authenticators:\n    jwt:\n      type: jwt\n      keys:\n        - kid: k1\n          secret: {env: NOT_SET}\n");
    at(env, 26, 25, "auth.authenticators.jwt.keys[0].secret.env");
    assertThat(env.problem()).isEqualTo("environment variable 'NOT_SET' is not set");

    ConfigException shortSecret =
        error(
            String.join("\n", BASE)
                + "\nauth:\n  authenticators:\n    keys:\n      type: apiKey\n      keys: [{principal: p, sha256: abc}]\n");
    at(shortSecret, 24, 37, "auth.authenticators.keys.keys[0].sha256");
    assertThat(shortSecret.problem())
        .isEqualTo("key hash must be 64 hex digits (SHA-256 of the key), got 'abc'");
  }

  @Test
  void unreadableConfigurationFile() {
    ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class, () -> ProxyConfigFile.load(tmp.resolve("nope.yaml")));
    assertThat(e.line()).isZero();
    assertThat(e.getMessage())
        .isEqualTo(tmp.resolve("nope.yaml") + ": cannot read the configuration file: no such file");
  }

  @Test
  void configExceptionIsALoadBalancerException() {
    assertThatThrownBy(() -> dir.parse(with(7, "    strategy: nope")))
        .isInstanceOf(io.dsblocks.loadbalancer.LoadBalancerException.class)
        .hasMessageStartingWith("test.yaml:7:15: pools.web.strategy: unknown strategy 'nope'");
  }
}
