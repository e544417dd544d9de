package io.dsblocks.loadbalancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Configuration validation: every bad value is refused at build time, naming the item. */
class ProxyConfigTest {
  private static final LoadBalancer<Endpoint> LB =
      LoadBalancers.of(Strategies.roundRobin(), List.of(Endpoint.of("127.0.0.1", 9)));

  private static ProxyConfig.Builder valid() {
    return ProxyConfig.builder().pool(BackendPool.of("web", LB)).route(Route.all("all", "web"));
  }

  @Test
  void defaultsAreDocumentedValues() {
    ProxyConfig c = valid().build();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isZero();
    assertThat(c.maxInitialLineLength()).isEqualTo(4096);
    assertThat(c.maxHeaderSize()).isEqualTo(8192);
    assertThat(c.maxBodySize()).isEqualTo(10L << 20);
    assertThat(c.allowedMethods()).isEqualTo(ProxyConfig.DEFAULT_METHODS);
    assertThat(c.headerReadTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxRetries()).isEqualTo(1);
    assertThat(c.listener()).isSameAs(ProxyListener.NONE);
    assertThat(c.accessLog()).isEmpty();
    assertThat(c.retryBudget()).isNotNull();
  }

  @Test
  void routeToAnUnknownPoolIsNamed() {
    assertThatThrownBy(
            () ->
                ProxyConfig.builder()
                    .pool(BackendPool.of("web", LB))
                    .route(Route.all("api", "apis"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("route 'api' refers to unknown pool 'apis'; pools are [web]");
  }

  @Test
  void emptyPoolsOrRoutesAreRefused() {
    assertThatThrownBy(() -> ProxyConfig.builder().route(Route.all("a", "web")).build())
        .hasMessageContaining("pools must not be empty");
    assertThatThrownBy(() -> ProxyConfig.builder().pool(BackendPool.of("web", LB)).build())
        .hasMessageContaining("routes must not be empty");
  }

  @Test
  void duplicateNamesAreRefused() {
    assertThatThrownBy(() -> valid().pool(BackendPool.of("web", LB)))
        .hasMessage("duplicate pool name 'web'");
    assertThatThrownBy(() -> valid().route(Route.all("all", "web")).build())
        .hasMessage("duplicate route name 'all'");
  }

  @Test
  void outOfRangeValuesNameFieldValueAndRange() {
    assertThatThrownBy(() -> valid().bind("0.0.0.0", 70000))
        .hasMessage("port must be in [0, 65535], was 70000");
    assertThatThrownBy(() -> valid().maxHeaderSize(10))
        .hasMessage("maxHeaderSize must be in [256, 1048576], was 10");
    assertThatThrownBy(() -> valid().maxRetries(11))
        .hasMessage("maxRetries must be in [0, 10], was 11");
    assertThatThrownBy(() -> valid().requestTimeout(Duration.ZERO))
        .hasMessage("requestTimeout must be in [PT0.001S, PT1H], was PT0S");
    assertThatThrownBy(() -> valid().ioThreads(0))
        .hasMessage("ioThreads must be in [1, 1024], was 0");
    assertThatThrownBy(() -> valid().maxBodySize(-1))
        .hasMessageStartingWith("maxBodySize must be in [0, ");
    assertThatThrownBy(() -> valid().viaName("bad name"))
        .hasMessage("viaName must be 1 to 64 of [A-Za-z0-9._-], was 'bad name'");
  }

  @Test
  void methodsAreUpperCasedAndConnectIsRefused() {
    assertThat(valid().allowedMethods(Set.of("get", "Post")).build().allowedMethods())
        .containsExactlyInAnyOrder("GET", "POST");
    assertThatThrownBy(() -> valid().allowedMethods(Set.of("CONNECT")))
        .hasMessageContaining("must not contain CONNECT");
    assertThatThrownBy(() -> valid().allowedMethods(Set.of()))
        .hasMessage("allowedMethods must not be empty");
  }

  @Test
  void routeValidationNamesTheRoute() {
    assertThatThrownBy(() -> Route.builder("r").pathPrefix("api"))
        .hasMessage("route 'r' pathPrefix must start with '/', was 'api'");
    assertThatThrownBy(() -> Route.builder("r").host("a.*.com"))
        .hasMessageContaining("route 'r' host must be a name or '*.' followed by a domain");
    assertThatThrownBy(() -> Route.builder("r").build())
        .hasMessage("route 'r' needs a pool (toPool)");
    assertThatThrownBy(() -> Route.builder(" "))
        .hasMessageContaining("route name must not be blank");
    assertThatThrownBy(() -> Route.builder("r").maxRetries(20))
        .hasMessage("route 'r' maxRetries must be in [0, 10], was 20");
  }

  @Test
  void routeMatching() {
    Route r =
        Route.builder("r")
            .host("Example.com")
            .host("*.svc.example.com")
            .pathPrefix("/api/")
            .header("X-Tenant", "7")
            .toPool("p")
            .build();
    Map<String, String> tenant = Map.of("x-tenant", "7");
    assertThat(r.matches("example.com", "/api/x", tenant::get)).isTrue();
    assertThat(r.matches("a.b.svc.example.com", "/api/x", tenant::get)).isTrue();
    assertThat(r.matches("svc.example.com", "/api/x", tenant::get)).isFalse();
    assertThat(r.matches("example.com", "/apix", tenant::get)).isFalse();
    assertThat(r.matches("example.com", "/api/x", Map.<String, String>of()::get)).isFalse();
  }

  @Test
  void backendPoolValidation() {
    assertThatThrownBy(() -> BackendPool.builder("p", LB).connectTimeout(Duration.ZERO))
        .hasMessage("pool 'p' connectTimeout must be in [PT0.001S, PT5M], was PT0S");
    assertThatThrownBy(() -> BackendPool.builder("p", LB).maxIdleConnectionsPerEndpoint(-1))
        .hasMessage("pool 'p' maxIdleConnectionsPerEndpoint must be in [0, 10000], was -1");
    assertThatThrownBy(() -> BackendPool.builder("p", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("pool 'p' picker must not be null");
  }

  @Test
  void l4ConfigValidation() {
    assertThatThrownBy(() -> L4ProxyConfig.builder(LB).maxConnectAttempts(0))
        .hasMessage("maxConnectAttempts must be in [1, 10], was 0");
    assertThatThrownBy(() -> L4ProxyConfig.builder(LB).idleTimeout(Duration.ofDays(8)))
        .hasMessage("idleTimeout must be in [PT0.001S, PT168H], was PT192H");
    assertThatThrownBy(() -> L4ProxyConfig.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("backends must not be null");
  }

  @Test
  void filterResultValidation() {
    assertThat(FilterResult.proceed().proceeds()).isTrue();
    assertThat(FilterResult.respond(403).proceeds()).isFalse();
    assertThatThrownBy(() -> FilterResult.respond(100))
        .hasMessage("status must be in [200, 599], was 100");
  }

  @Test
  void bindingAPortInUseFailsWithTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> L7Proxy.start(valid().bind("127.0.0.1", port).ioThreads(1).build()))
          .isInstanceOf(ProxyException.class)
          .hasMessageContaining("cannot bind L7 proxy to 127.0.0.1:" + port);
      assertThatThrownBy(
              () -> L4Proxy.start(L4ProxyConfig.builder(LB).bind("127.0.0.1", port).build()))
          .isInstanceOf(ProxyException.class)
          .hasMessageContaining("cannot bind L4 proxy to 127.0.0.1:" + port);
    }
  }
}
