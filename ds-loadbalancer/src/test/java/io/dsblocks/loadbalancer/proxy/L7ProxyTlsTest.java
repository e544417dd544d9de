package io.dsblocks.loadbalancer.proxy;

import static io.dsblocks.loadbalancer.proxy.Fixtures.roundRobin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.loadbalancer.tls.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS termination and HTTP/2 towards clients: real TLS handshakes on 127.0.0.1, JDK HttpClient
 * (HTTP/1.1 and HTTP/2 over ALPN), raw TLS sockets for SNI and for hand-made HTTP/2 frames.
 */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L7ProxyTlsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path dir;
  private static TlsFixtures pki;
  private static TestBackend web;
  private static L7Proxy proxy;
  private static final List<AccessLogRecord> log = new CopyOnWriteArrayList<>();
  private static HttpClient h1;
  private static HttpClient h2;

  @BeforeAll
  static void start() {
    pki = new TlsFixtures(dir);
    Path[] def = pki.server("default", "default-cert");
    Path[] local = pki.server("localhost", "localhost-cert", "localhost");
    web = TestBackend.start("web");
    proxy =
        L7Proxy.start(
            Fixtures.proxy(roundRobin(web))
                .tls(
                    TlsConfig.builder()
                        .defaultCertificate(def[0], def[1])
                        .certificate("localhost", local[0], local[1])
                        .build())
                .maxBodySize(64L << 20)
                .accessLog(log::add)
                .build());
    h1 = pki.client(HttpClient.Version.HTTP_1_1, null);
    h2 = pki.client(HttpClient.Version.HTTP_2, null);
  }

  @AfterAll
  static void stop() {
    proxy.close();
    web.close();
  }

  private static URI uri(String path) {
    return URI.create("https://127.0.0.1:" + proxy.port() + path);
  }

  private static HttpResponse<String> get(HttpClient client, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void httpsOverHttp11ReachesTheBackendWithForwardedProtoHttps() throws Exception {
    HttpResponse<String> r = get(h1, "/echo/h1?q=1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.body())
        .contains("uri=/echo/h1?q=1")
        .contains("h:x-forwarded-proto=https")
        .contains("h:via=1.1 dsblocks");
    assertThat(r.sslSession()).isPresent();
  }

  @Test
  void http2ClientsNegotiateH2AndGetTheSameRequestHandling() throws Exception {
    HttpResponse<String> r = get(h2, "/echo/h2?q=2");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.body())
        .contains("method=GET")
        .contains("uri=/echo/h2?q=2")
        .contains("h:x-forwarded-proto=https")
        .contains("h:via=2.0 dsblocks")
        .contains("h:host=127.0.0.1:" + proxy.port())
        .contains("h:traceparent=00-")
        .doesNotContain("x-http2-");
    assertThat(r.headers().firstValue("via")).hasValue("1.1 dsblocks");
    assertThat(proxy.stats().http2Connections()).isGreaterThanOrEqualTo(1);
    await().atMost(TIMEOUT).until(() -> log.stream().anyMatch(l -> l.uri().equals("/echo/h2?q=2")));
    AccessLogRecord rec =
        log.stream().filter(l -> l.uri().equals("/echo/h2?q=2")).findFirst().orElseThrow();
    assertThat(rec.protocol()).isEqualTo("HTTP/2.0");
    assertThat(rec.status()).isEqualTo(200);
  }

  @Test
  void withHttp2OffH2ClientsAreServedHttp11() throws Exception {
    TestBackend backend = TestBackend.start("h1-only");
    Path[] def = pki.server("h1only", "h1-only");
    try (L7Proxy p =
        L7Proxy.start(
            Fixtures.proxy(roundRobin(backend))
                .tls(TlsConfig.of(def[0], def[1]))
                .http2(false)
                .build())) {
      HttpResponse<String> r =
          h2.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + p.port() + "/echo"))
                  .timeout(TIMEOUT)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(p.stats().http2Connections()).isZero();
    } finally {
      backend.close();
    }
  }

  @Test
  void http2RequestLimitsMatchHttp11() throws Exception {
    int before = web.requests();
    HttpResponse<String> longPath = get(h2, "/echo/" + "a".repeat(5000));
    assertThat(longPath.statusCode()).isEqualTo(414);
    HttpResponse<String> bigHeader =
        h2.send(
            HttpRequest.newBuilder(uri("/echo/big-header"))
                .header("x-big", "b".repeat(9000))
                .timeout(TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bigHeader.statusCode()).isEqualTo(431);
    assertThat(web.requests()).isEqualTo(before);
    assertThat(get(h2, "/echo/fine").statusCode()).isEqualTo(200);
  }

  @Test
  void sniSelectsTheCertificateByNameAndTheDefaultOtherwise() throws Exception {
    HttpClient byName = pki.client(HttpClient.Version.HTTP_1_1, null);
    HttpResponse<String> named =
        byName.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port() + "/echo"))
                .timeout(TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(named.statusCode()).isEqualTo(200);
    assertThat(leafCn(named)).contains("CN=localhost-cert");
    assertThat(leafCn(get(h1, "/echo"))).contains("CN=default-cert");
    // A raw socket with an SNI name no certificate has: the default, and HTTP/1.1 still works.
    try (SSLSocket s = pki.socket(proxy.port(), "unknown.example", "http/1.1")) {
      X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=default-cert");
      assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
      s.getOutputStream()
          .write(
              "GET /echo/raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(TlsFixtures.readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 200")
          .contains("uri=/echo/raw");
    }
  }

  private static String leafCn(HttpResponse<?> r) throws Exception {
    return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0])
        .getSubjectX500Principal()
        .getName();
  }

  @Test
  void manyConcurrentStreamsOnOneConnectionEachGetTheirOwnAnswer() throws Exception {
    HttpClient client = pki.client(HttpClient.Version.HTTP_2, null);
    long h2Before = proxy.stats().http2Connections();
    int backendConnsBefore = web.connections();
    assertThat(get(client, "/echo/warmup").version()).isEqualTo(HttpClient.Version.HTTP_2);
    int n = 60;
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(
          client.sendAsync(
              HttpRequest.newBuilder(uri("/slow/200"))
                  .header("x-i", Integer.toString(i))
                  .timeout(TIMEOUT)
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = futures.get(i).get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(r.body()).contains("h:x-i=" + i + "\n");
    }
    // One client connection carried them all, and they ran side by side: sequential streams
    // would have reused a single pooled backend connection.
    assertThat(proxy.stats().http2Connections() - h2Before).isEqualTo(1);
    assertThat(web.connections() - backendConnsBefore).isGreaterThan(1);
  }

  @Test
  void largeBodiesStreamBothWaysOverHttp2() throws Exception {
    long size = 16L << 20;
    byte[] chunk = new byte[64 * 1024];
    List<byte[]> parts = new ArrayList<>();
    for (long sent = 0; sent < size; sent += chunk.length) {
      parts.add(chunk);
    }
    HttpResponse<String> up =
        h2.send(
            HttpRequest.newBuilder(uri("/echo/upload"))
                .timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(parts))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(up.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.body()).contains("body=" + size + "\n");

    HttpResponse<InputStream> down =
        h2.send(
            HttpRequest.newBuilder(uri("/big/" + size)).timeout(TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(down.version()).isEqualTo(HttpClient.Version.HTTP_2);
    long received = 0;
    try (InputStream in = down.body()) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) >= 0; ) {
        received += n;
      }
    }
    assertThat(received).isEqualTo(size);
  }

  @Test
  void garbageAfterTheHttp2PrefaceClosesThatConnectionOnly() throws Exception {
    try (SSLSocket s = pki.socket(proxy.port(), null, "h2")) {
      assertThat(s.getApplicationProtocol()).isEqualTo("h2");
      OutputStream out = s.getOutputStream();
      out.write(H2Frames.PREFACE);
      out.write(H2Frames.frame(4, 0, 0, new byte[0])); // empty SETTINGS
      out.write("this is not an HTTP/2 frame at all, just junk bytes...".getBytes());
      out.flush();
      // The server answers with its SETTINGS and then GOAWAY, and closes the connection.
      List<int[]> frames = H2Frames.readUntilEof(s.getInputStream());
      assertThat(frames).anyMatch(f -> f[1] == 7); // GOAWAY
    }
    assertThat(get(h2, "/echo/after-garbage").statusCode()).isEqualTo(200);
  }

  @Test
  void resetStreamMidBodyAbortsThatExchangeAndTheConnectionGoesOn() throws Exception {
    int before = web.requests();
    try (SSLSocket s = pki.socket(proxy.port(), null, "h2")) {
      OutputStream out = s.getOutputStream();
      out.write(H2Frames.PREFACE);
      out.write(H2Frames.frame(4, 0, 0, new byte[0]));
      // Stream 1: a POST whose body is cut by RST_STREAM(CANCEL) after 1000 bytes.
      out.write(
          H2Frames.headers(
              1, false, "POST", "/echo/reset", "127.0.0.1:" + proxy.port(), "x-test", "rst"));
      out.write(H2Frames.frame(0, 0, 1, new byte[1000]));
      out.flush();
      await().atMost(TIMEOUT).until(() -> web.requests() > before);
      out.write(H2Frames.frame(3, 0, 1, new byte[] {0, 0, 0, 8}));
      // Stream 3 on the same connection still works.
      out.write(H2Frames.headers(3, true, "GET", "/echo/next", "127.0.0.1:" + proxy.port()));
      out.flush();
      assertThat(H2Frames.awaitResponseStatus(s.getInputStream(), 3)).isEqualTo(200);
    }
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                log.stream()
                    .anyMatch(
                        l -> l.uri().equals("/echo/reset") && l.reason().equals("client_closed")));
  }

  @Test
  void certificateHotReloadServesTheRenewedCertificateToNewConnections() throws Exception {
    Path[] files = pki.server("reload", "before-reload");
    Path[] def = pki.server("other-default", "unused");
    TestBackend backend = TestBackend.start("reload-backend");
    try (L7Proxy p =
        L7Proxy.start(
            Fixtures.proxy(roundRobin(backend))
                .tls(
                    TlsConfig.builder()
                        .defaultCertificate(files[0], files[1])
                        .certificate("unused.example", def[0], def[1])
                        .build())
                .build())) {
      URI u = URI.create("https://127.0.0.1:" + p.port() + "/echo");
      HttpClient c1 = pki.client(HttpClient.Version.HTTP_1_1, null);
      HttpResponse<String> first =
          c1.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(leafCn(first)).contains("CN=before-reload");
      pki.server("reload", "after-reload"); // overwrites the same files
      assertThat(p.tls().orElseThrow().reload()).isTrue();
      HttpClient c2 = pki.client(HttpClient.Version.HTTP_1_1, null);
      HttpResponse<String> second =
          c2.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(leafCn(second)).contains("CN=after-reload");
      assertThat(p.tls().orElseThrow().info().reloads()).isEqualTo(1);
    } finally {
      backend.close();
    }
  }

  /**
   * Uses hand-made frames because the JDK 17 HttpClient fails every open stream when it receives a
   * GOAWAY (fixed in later JDKs), whereas RFC 9113 says streams up to the GOAWAY's last stream id
   * complete.
   */
  @Test
  void gracefulShutdownCompletesOpenHttp2StreamsThenRefusesNewConnections() throws Exception {
    TestBackend backend = TestBackend.start("drain-backend");
    Path[] def = pki.server("drain", "drain-cert");
    L7Proxy p =
        L7Proxy.start(
            Fixtures.proxy(roundRobin(backend))
                .tls(TlsConfig.of(def[0], def[1]))
                .shutdownTimeout(Duration.ofSeconds(20))
                .build());
    try (SSLSocket s = pki.socket(p.port(), null, "h2")) {
      OutputStream out = s.getOutputStream();
      out.write(H2Frames.PREFACE);
      out.write(H2Frames.frame(4, 0, 0, new byte[0]));
      String authority = "127.0.0.1:" + p.port();
      for (int stream = 1; stream <= 5; stream += 2) {
        out.write(H2Frames.headers(stream, true, "GET", "/slow/700", authority));
      }
      out.flush();
      await().atMost(TIMEOUT).until(() -> backend.requests() == 3);
      CompletableFuture<Boolean> drained =
          CompletableFuture.supplyAsync(() -> p.shutdownGracefully(Duration.ofSeconds(20)));
      List<int[]> frames = H2Frames.readUntilEof(s.getInputStream());
      assertThat(drained.get(30, TimeUnit.SECONDS)).isTrue();
      int goAwayAt = -1;
      for (int i = 0; i < frames.size(); i++) {
        if (frames.get(i)[1] == 7) {
          goAwayAt = i;
          break;
        }
      }
      assertThat(goAwayAt).as("GOAWAY sent").isNotNegative();
      for (int stream = 1; stream <= 5; stream += 2) {
        int id = stream;
        // Each open stream still gets its response and its end, after the GOAWAY.
        assertThat(frames.subList(goAwayAt, frames.size()))
            .as("stream " + id + " ends after GOAWAY")
            .anyMatch(f -> f[3] == id && (f[2] & 0x1) != 0);
        assertThat(frames).as("stream " + id + " headers").anyMatch(f -> f[3] == id && f[1] == 1);
        assertThat(frames).as("no reset of " + id).noneMatch(f -> f[3] == id && f[1] == 3);
      }
    } finally {
      p.close();
      backend.close();
    }
    assertThat(p.stats().connectionsActive()).isZero();
    HttpClient fresh = pki.client(HttpClient.Version.HTTP_2, null);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                fresh.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + p.port() + "/echo"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }
}
