package io.dsblocks.loadbalancer.proxy;

import static io.dsblocks.loadbalancer.proxy.Fixtures.roundRobin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dsblocks.loadbalancer.auth.ApiKeyAuthenticator;
import io.dsblocks.loadbalancer.auth.AuthPolicy;
import io.dsblocks.loadbalancer.auth.AuthRules;
import io.dsblocks.loadbalancer.auth.JwtAuthenticator;
import io.dsblocks.loadbalancer.auth.JwtKeySet;
import io.dsblocks.loadbalancer.auth.MtlsAuthenticator;
import io.dsblocks.loadbalancer.tls.ClientAuthMode;
import io.dsblocks.loadbalancer.tls.IssuedCertificate;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and authorization in the running proxy, over HTTPS with HTTP/1.1 and HTTP/2:
 * proxy-wide {@link AuthRules} before routing, route policies with API keys, HS256 JWTs and mTLS
 * client certificates; denials never reach the backend and are counted and logged.
 */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L7ProxyAuthTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String READER_KEY = "reader-key-0123456789";
  private static final String ADMIN_KEY = "admin-key-0123456789abcdef";
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  @TempDir static Path dir;
  private static TlsFixtures pki;
  private static Path caFile;
  private static Path[] serverCert;
  private static TestBackend web;
  private static L7Proxy proxy;
  private static final List<AccessLogRecord> log = new CopyOnWriteArrayList<>();
  private static IssuedCertificate clientCert;

  @BeforeAll
  static void start() {
    pki = new TlsFixtures(dir);
    serverCert = pki.server("server", "server-cert");
    caFile = pki.caFile();
    clientCert = pki.client("client-1");
    web = TestBackend.start("web");
    ApiKeyAuthenticator apiKeys =
        ApiKeyAuthenticator.builder()
            .key(READER_KEY, "reader")
            .key(ADMIN_KEY, "root", "admin")
            .build();
    JwtAuthenticator jwt =
        JwtAuthenticator.builder(JwtKeySet.create().addHmacSecret("k1", SECRET)).build();
    MtlsAuthenticator mtls = MtlsAuthenticator.builder().build();
    proxy =
        L7Proxy.start(
            ProxyConfig.builder()
                .bind("127.0.0.1", 0)
                .ioThreads(1)
                .shutdownTimeout(Duration.ofSeconds(5))
                .tls(
                    TlsConfig.builder()
                        .defaultCertificate(serverCert[0], serverCert[1])
                        .clientAuth(ClientAuthMode.OPTIONAL)
                        .trustedClientCertificates(caFile)
                        .build())
                .auth(
                    AuthRules.builder()
                        .route("/", AuthPolicy.anonymous())
                        .route("/private/", AuthPolicy.denyAll())
                        .build())
                .pool(BackendPool.of("web", roundRobin(web)))
                .route(
                    Route.builder("key")
                        .pathPrefix("/key/")
                        .auth(AuthPolicy.builder().anyOf(apiKeys).build())
                        .toPool("web")
                        .build())
                .route(
                    Route.builder("admin")
                        .pathPrefix("/admin/")
                        .auth(AuthPolicy.builder().anyOf(apiKeys).requireAnyRole("admin").build())
                        .toPool("web")
                        .build())
                .route(
                    Route.builder("jwt")
                        .pathPrefix("/jwt/")
                        .auth(AuthPolicy.builder().anyOf(jwt).requireScopes("orders:read").build())
                        .toPool("web")
                        .build())
                .route(
                    Route.builder("mtls")
                        .pathPrefix("/mtls/")
                        .auth(AuthPolicy.builder().anyOf(mtls).build())
                        .filter(
                            r -> {
                              r.setHeader(
                                  "x-principal",
                                  r.principal().map(p -> p.name() + "/" + p.scheme()).orElse("-"));
                              return FilterResult.proceed();
                            })
                        .toPool("web")
                        .build())
                .route(Route.all("all", "web"))
                .accessLog(log::add)
                .build());
  }

  @AfterAll
  static void stop() {
    proxy.close();
    web.close();
  }

  private static HttpResponse<String> get(
      HttpClient.Version version, IssuedCertificate cert, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + proxy.port() + path))
            .timeout(TIMEOUT);
    if (headers.length > 0) {
      b.headers(headers);
    }
    HttpResponse<String> r =
        pki.client(version, cert).send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.version()).isEqualTo(version);
    return r;
  }

  private static String token(String claims) {
    long exp = Instant.now().plusSeconds(3600).getEpochSecond();
    return TlsFixtures.hs256("k1", SECRET, "{\"sub\":\"alice\",\"exp\":" + exp + claims + "}");
  }

  @Test
  void apiKeyRouteAnswers401WithoutOrWithAWrongKeyAndForwardsAGoodOne() throws Exception {
    int backendBefore = web.requests();
    long deniedBefore = proxy.stats().authDenied();
    HttpResponse<String> none = get(HttpClient.Version.HTTP_1_1, null, "/key/none");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("ApiKey"));
    HttpResponse<String> wrong =
        get(HttpClient.Version.HTTP_2, null, "/key/wrong", "x-api-key", "not-a-valid-key-123456");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).isNotBlank().doesNotContain("not-a-valid-key");
    assertThat(web.requests()).isEqualTo(backendBefore); // the backend never saw either
    assertThat(proxy.stats().authDenied() - deniedBefore).isEqualTo(2);
    HttpResponse<String> ok =
        get(HttpClient.Version.HTTP_2, null, "/key/good", "x-api-key", READER_KEY);
    assertThat(ok.statusCode()).isEqualTo(200);
    // Credentials are forwarded by default (documented): a filter may remove them.
    assertThat(ok.body()).contains("uri=/key/good").contains("h:x-api-key=" + READER_KEY);
    assertThat(web.requests()).isEqualTo(backendBefore + 1);
    await().atMost(TIMEOUT).until(() -> log.stream().anyMatch(l -> l.uri().equals("/key/wrong")));
    AccessLogRecord denied =
        log.stream().filter(l -> l.uri().equals("/key/wrong")).findFirst().orElseThrow();
    assertThat(denied.status()).isEqualTo(401);
    assertThat(denied.reason()).isEqualTo("auth_denied");
    assertThat(denied.route()).isEqualTo("key");
    assertThat(denied.backend()).isEqualTo("-");
  }

  @Test
  void roleRequirementAnswers403ForAnAuthenticatedButUnauthorizedKey() throws Exception {
    int backendBefore = web.requests();
    HttpResponse<String> reader =
        get(HttpClient.Version.HTTP_1_1, null, "/admin/x", "x-api-key", READER_KEY);
    assertThat(reader.statusCode()).isEqualTo(403);
    assertThat(web.requests()).isEqualTo(backendBefore);
    assertThat(
            get(HttpClient.Version.HTTP_1_1, null, "/admin/x", "x-api-key", ADMIN_KEY).statusCode())
        .isEqualTo(200);
  }

  @Test
  void jwtRouteChecksSignatureAndScopeOverHttp2() throws Exception {
    int backendBefore = web.requests();
    HttpResponse<String> none = get(HttpClient.Version.HTTP_2, null, "/jwt/orders");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    String good = token(",\"scope\":\"orders:read orders:write\"");
    char last = good.charAt(good.length() - 1);
    String tampered = good.substring(0, good.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(
            get(HttpClient.Version.HTTP_2, null, "/jwt/o", "authorization", "Bearer " + tampered)
                .statusCode())
        .isEqualTo(401);
    HttpResponse<String> noScope =
        get(HttpClient.Version.HTTP_2, null, "/jwt/o", "authorization", "Bearer " + token(""));
    assertThat(noScope.statusCode()).isEqualTo(403);
    assertThat(noScope.headers().firstValue("www-authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("insufficient_scope"));
    assertThat(web.requests()).isEqualTo(backendBefore);
    HttpResponse<String> ok =
        get(HttpClient.Version.HTTP_2, null, "/jwt/o", "authorization", "Bearer " + good);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(web.requests()).isEqualTo(backendBefore + 1);
  }

  @Test
  void mtlsRouteSeesTheClientCertificateOnBothProtocols() throws Exception {
    int backendBefore = web.requests();
    assertThat(get(HttpClient.Version.HTTP_1_1, null, "/mtls/x").statusCode()).isEqualTo(401);
    assertThat(web.requests()).isEqualTo(backendBefore);
    for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
      HttpResponse<String> ok = get(v, clientCert, "/mtls/x");
      assertThat(ok.statusCode()).isEqualTo(200);
      // The route's policy authenticated the certificate; the filter saw its principal.
      assertThat(ok.body()).contains("h:x-principal=client-1/mtls");
    }
  }

  @Test
  void proxyWideRulesDenyBeforeRoutingOnTheNormalizedPath() throws Exception {
    int backendBefore = web.requests();
    assertThat(get(HttpClient.Version.HTTP_2, null, "/private/data").statusCode()).isEqualTo(403);
    // Raw requests: a client library might normalize these paths itself.
    assertThat(rawStatus("/public/../private/data")).isEqualTo(403);
    assertThat(rawStatus("/public//..//private/data")).isEqualTo(403);
    assertThat(rawStatus("/%70rivate/data")).isEqualTo(403); // %70 is 'p'
    assertThat(rawStatus("/%2e%2e/private/data")).isEqualTo(400);
    assertThat(rawStatus("/a%2fb")).isEqualTo(400);
    assertThat(web.requests()).isEqualTo(backendBefore);
    // What is allowed is forwarded with the path that was judged.
    HttpResponse<String> ok = get(HttpClient.Version.HTTP_1_1, null, "/echo/./a/../b?q=1");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("uri=/echo/b?q=1");
  }

  private static int rawStatus(String target) throws IOException {
    try (SSLSocket s = pki.socket(proxy.port(), null, "http/1.1")) {
      s.getOutputStream()
          .write(
              ("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = TlsFixtures.readResponse(s.getInputStream());
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  @Test
  void requiredClientCertificatesRefuseClientsWithoutOne() throws Exception {
    TestBackend backend = TestBackend.start("mtls-required");
    try (L7Proxy p =
        L7Proxy.start(
            Fixtures.proxy(roundRobin(backend))
                .tls(
                    TlsConfig.builder()
                        .defaultCertificate(serverCert[0], serverCert[1])
                        .clientAuth(ClientAuthMode.REQUIRE)
                        .trustedClientCertificates(caFile)
                        .build())
                .build())) {
      URI u = URI.create("https://127.0.0.1:" + p.port() + "/echo");
      for (HttpClient.Version v :
          Arrays.asList(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
        assertThatThrownBy(
                () ->
                    pki.client(v, null)
                        .send(
                            HttpRequest.newBuilder(u).timeout(TIMEOUT).build(),
                            HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(IOException.class);
      }
      await().atMost(TIMEOUT).until(() -> p.stats().tlsHandshakeFailures() >= 2);
      assertThat(backend.requests()).isZero();
      HttpResponse<String> ok =
          pki.client(HttpClient.Version.HTTP_2, clientCert)
              .send(
                  HttpRequest.newBuilder(u).timeout(TIMEOUT).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_2);
    } finally {
      backend.close();
    }
  }
}
