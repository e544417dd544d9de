package io.dsblocks.loadbalancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.auth.AuthPolicy;
import io.dsblocks.loadbalancer.auth.AuthRules;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation and defaults of the TLS, HTTP/2 and auth settings of {@link ProxyConfig}. */
class ProxyTlsConfigTest {
  private static final LoadBalancer<Endpoint> LB =
      LoadBalancers.of(Strategies.roundRobin(), List.of(Endpoint.of("127.0.0.1", 9)));
  @TempDir Path dir;

  private static ProxyConfig.Builder valid() {
    return ProxyConfig.builder().pool(BackendPool.of("web", LB)).route(Route.all("all", "web"));
  }

  private TlsConfig.Builder tls() {
    Path[] f = new TlsFixtures(dir).server("s", "s");
    return TlsConfig.builder().defaultCertificate(f[0], f[1]);
  }

  @Test
  void defaultsArePlainTextHttp2OnAndNoAuth() {
    ProxyConfig c = valid().build();
    assertThat(c.tls()).isEmpty();
    assertThat(c.tlsReloadInterval()).isEmpty();
    assertThat(c.http2()).isTrue();
    assertThat(c.http2MaxConcurrentStreams()).isEqualTo(100);
    assertThat(c.auth()).isEmpty();
    assertThat(c.routes().get(0).auth()).isEmpty();
  }

  @Test
  void settingsAreKept() {
    TlsConfig t = tls().build();
    AuthRules rules = AuthRules.builder().route("/", AuthPolicy.anonymous()).build();
    AuthPolicy policy = AuthPolicy.denyAll();
    ProxyConfig c =
        ProxyConfig.builder()
            .pool(BackendPool.of("web", LB))
            .route(Route.builder("r").toPool("web").auth(policy).build())
            .tls(t)
            .tlsReloadInterval(Duration.ofSeconds(30))
            .http2(false)
            .http2MaxConcurrentStreams(7)
            .auth(rules)
            .build();
    assertThat(c.tls()).containsSame(t);
    assertThat(c.tlsReloadInterval()).contains(Duration.ofSeconds(30));
    assertThat(c.http2()).isFalse();
    assertThat(c.http2MaxConcurrentStreams()).isEqualTo(7);
    assertThat(c.auth()).containsSame(rules);
    assertThat(c.routes().get(0).auth()).containsSame(policy);
    // http2(true) without TLS is allowed: plain-text listeners simply speak HTTP/1.1.
    assertThat(valid().http2(true).build().http2()).isTrue();
  }

  @Test
  void badCombinationsAndValuesNameTheField() {
    assertThatThrownBy(
            () -> valid().tls(tls().applicationProtocols("h2", "spdy/3").build()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls.applicationProtocols contains 'spdy/3'");
    assertThatThrownBy(() -> valid().tlsReloadInterval(Duration.ofSeconds(5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsReloadInterval")
        .hasMessageContaining("no tls");
    assertThatThrownBy(() -> valid().tlsReloadInterval(Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsReloadInterval");
    assertThatThrownBy(() -> valid().http2MaxConcurrentStreams(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http2MaxConcurrentStreams");
    assertThatThrownBy(() -> valid().tls(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> valid().auth(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Route.builder("r").auth(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("route 'r' auth");
  }

  @Test
  void alpnCopyKeepsEverythingElse() {
    TlsConfig t = tls().build();
    TlsConfig h1 = t.withApplicationProtocols(List.of(TlsConfig.ALPN_HTTP_1_1));
    assertThat(h1.applicationProtocols()).containsExactly("http/1.1");
    assertThat(h1.defaultCertificate()).isEqualTo(t.defaultCertificate());
    assertThat(h1.protocols()).isEqualTo(t.protocols());
    assertThat(t.withApplicationProtocols(t.applicationProtocols())).isSameAs(t);
    assertThatThrownBy(() -> t.withApplicationProtocols(List.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("applicationProtocols");
  }
}
