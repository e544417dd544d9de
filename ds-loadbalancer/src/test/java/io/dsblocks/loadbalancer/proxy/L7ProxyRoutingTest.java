package io.dsblocks.loadbalancer.proxy;

import static io.dsblocks.loadbalancer.proxy.Fixtures.CLIENT;
import static io.dsblocks.loadbalancer.proxy.Fixtures.CLIENT_TIMEOUT;
import static io.dsblocks.loadbalancer.proxy.Fixtures.roundRobin;
import static io.dsblocks.loadbalancer.proxy.Fixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Routes (host, path prefix, header, order, no match) and the filter chain. */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L7ProxyRoutingTest {
  private static TestBackend api;
  private static TestBackend canary;
  private static TestBackend web;
  private static L7Proxy proxy;
  private static final List<String> filterSaw = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    api = TestBackend.start("api");
    canary = TestBackend.start("canary");
    web = TestBackend.start("web");
    HttpFilter audit =
        request -> {
          filterSaw.add(
              request.method()
                  + " "
                  + request.path()
                  + " host="
                  + request.host()
                  + " route="
                  + request.route()
                  + " secure="
                  + request.secure()
                  + " certs="
                  + request.peerCertificates().size()
                  + " connection="
                  + request.header("connection"));
          request.setHeader("x-audited", "yes");
          return FilterResult.proceed();
        };
    HttpFilter apiKey =
        request ->
            "secret".equals(request.header("x-api-key"))
                ? FilterResult.proceed()
                : FilterResult.respond(401, Map.of("www-authenticate", "ApiKey"), "no key\n");
    HttpFilter broken =
        request -> {
          throw new IllegalStateException("filter bug");
        };
    proxy =
        L7Proxy.start(
            ProxyConfig.builder()
                .bind("127.0.0.1", 0)
                .ioThreads(1)
                .pool(BackendPool.of("api", roundRobin(api)))
                .pool(BackendPool.of("canary", roundRobin(canary)))
                .pool(BackendPool.of("web", roundRobin(web)))
                .filter(audit)
                .route(Route.builder("canary").header("x-canary", "1").toPool("canary").build())
                .route(
                    Route.builder("api")
                        .host("api.example.com")
                        .host("*.api.example.com")
                        .pathPrefix("/v1/")
                        .filter(apiKey)
                        .toPool("api")
                        .build())
                .route(
                    Route.builder("broken")
                        .pathPrefix("/broken")
                        .filter(broken)
                        .toPool("web")
                        .build())
                .route(Route.builder("web").host("www.example.com").toPool("web").build())
                .build());
  }

  @AfterAll
  static void stop() {
    proxy.close();
    api.close();
    canary.close();
    web.close();
  }

  private static HttpResponse<String> send(String host, String path, Map<String, String> headers)
      throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      c.send(req.append("\r\n").toString());
      RawHttp.Response r = c.read();
      return new Simple(r);
    }
  }

  @Test
  void routesByHostPathAndHeaderInOrder() throws Exception {
    assertThat(backendOf(send("api.example.com", "/v1/users", Map.of("x-api-key", "secret"))))
        .isEqualTo("api");
    assertThat(backendOf(send("eu.api.example.com:8443", "/v1/x", Map.of("x-api-key", "secret"))))
        .isEqualTo("api");
    assertThat(backendOf(send("WWW.example.com", "/v1/users", Map.of()))).isEqualTo("web");
    // The header route comes first, so it wins even for the API host.
    assertThat(backendOf(send("api.example.com", "/v1/users", Map.of("x-canary", "1"))))
        .isEqualTo("canary");
  }

  @Test
  void noMatchingRouteGives404() throws Exception {
    assertThat(send("api.example.com", "/v2/users", Map.of()).statusCode()).isEqualTo(404);
    assertThat(send("example.com", "/", Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void routeFilterCanDenyWithItsOwnResponse() throws Exception {
    int before = api.requests();
    HttpResponse<String> r = send("api.example.com", "/v1/users", Map.of());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("no key\n");
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("ApiKey");
    assertThat(api.requests()).isEqualTo(before);
  }

  @Test
  void globalFilterSeesTheRouteAndEndToEndHeadersAndCanAddHeaders() throws Exception {
    filterSaw.clear();
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(uri(proxy, "/index.html"))
                .header("host-override", "ignored")
                .timeout(CLIENT_TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404); // 127.0.0.1 matches no route
    HttpResponse<String> ok =
        send("www.example.com", "/index.html?x=1", Map.of("Connection", "x-hop"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("h:x-audited=yes");
    assertThat(filterSaw)
        .contains(
            "GET /index.html host=www.example.com route=web secure=false certs=0 connection=null");
  }

  @Test
  void throwingFilterGives500AndTheProxyKeepsServing() throws Exception {
    assertThat(send("www.example.com", "/broken", Map.of()).statusCode()).isEqualTo(500);
    assertThat(send("www.example.com", "/fine", Map.of()).statusCode()).isEqualTo(200);
  }

  private static String backendOf(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    return r.headers().firstValue("x-backend").orElseThrow();
  }

  /** Adapts a raw response to HttpResponse for uniform assertions. */
  private record Simple(RawHttp.Response raw) implements HttpResponse<String> {
    @Override
    public int statusCode() {
      return raw.status();
    }

    @Override
    public HttpRequest request() {
      return null;
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(raw.headers(), (a, b) -> true);
    }

    @Override
    public String body() {
      return raw.text();
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.URI uri() {
      return null;
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
