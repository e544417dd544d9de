package io.dsblocks.loadbalancer.proxy;

import static io.dsblocks.loadbalancer.proxy.Fixtures.CLIENT;
import static io.dsblocks.loadbalancer.proxy.Fixtures.CLIENT_TIMEOUT;
import static io.dsblocks.loadbalancer.proxy.Fixtures.get;
import static io.dsblocks.loadbalancer.proxy.Fixtures.proxy;
import static io.dsblocks.loadbalancer.proxy.Fixtures.roundRobin;
import static io.dsblocks.loadbalancer.proxy.Fixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.netty.channel.epoll.Epoll;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The L7 proxy's forwarding path over real sockets: balancing, keep-alive pooling, streaming,
 * forwarding and hop-by-hop headers, trace context, routing, filters, the access log.
 */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L7ProxyForwardingTest {
  private static TestBackend a;
  private static TestBackend b;
  private static final List<AccessLogRecord> log = new CopyOnWriteArrayList<>();
  private static L7Proxy proxy;

  @BeforeAll
  static void start() {
    a = TestBackend.start("a");
    b = TestBackend.start("b");
    LoadBalancer<Endpoint> lb = roundRobin(a, b);
    proxy =
        L7Proxy.start(
            proxy(lb).maxBodySize(256L << 20).accessLog(log::add).viaName("test-proxy").build());
  }

  @AfterAll
  static void stop() {
    proxy.close();
    a.close();
    b.close();
  }

  private static Map<String, String> echoed(String body) {
    java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
    for (String line : body.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return m;
  }

  @Test
  void usesEpollWhenTheNativeTransportIsAvailable() {
    assertThat(proxy.transport()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
  }

  @Test
  void roundRobinSpreadsRequestsOverBothBackends() throws Exception {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get(proxy, "/echo/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      seen.add(r.headers().firstValue("x-backend").orElseThrow());
    }
    assertThat(seen).containsOnly("a", "b");
    assertThat(seen.stream().filter("a"::equals).count()).isEqualTo(3);
  }

  @Test
  void reusesBackendConnectionsAcrossRequests() throws Exception {
    int before = a.connections() + b.connections();
    long reusedBefore = proxy.stats().backendConnectionsReused();
    for (int i = 0; i < 20; i++) {
      assertThat(get(proxy, "/echo").statusCode()).isEqualTo(200);
    }
    // One I/O thread, sequential requests: at most one new connection per backend, then reuse.
    assertThat(a.connections() + b.connections() - before).isLessThanOrEqualTo(2);
    assertThat(proxy.stats().backendConnectionsReused() - reusedBefore).isGreaterThanOrEqualTo(18);
  }

  @Test
  void addsForwardingHeadersAndVia() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(uri(proxy, "/echo"))
                .header("x-forwarded-for", "203.0.113.9")
                .header("x-forwarded-proto", "https") // not trusted: overwritten
                .timeout(CLIENT_TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Map<String, String> e = echoed(r.body());
    assertThat(e.get("h:x-forwarded-for")).isEqualTo("203.0.113.9, 127.0.0.1");
    assertThat(e.get("h:x-forwarded-proto")).isEqualTo("http");
    assertThat(e.get("h:x-forwarded-host")).isEqualTo("127.0.0.1:" + proxy.port());
    assertThat(e.get("h:via")).isEqualTo("1.1 test-proxy");
    assertThat(e.get("h:host")).isEqualTo("127.0.0.1:" + proxy.port()); // Host preserved
    assertThat(r.headers().firstValue("via")).hasValue("1.1 test-proxy");
  }

  @Test
  void removesHopByHopHeadersBothWays() throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send(
          "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, x-secret\r\nX-Secret: 1\r\n"
              + "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9v\r\nTE: trailers\r\n"
              + "Upgrade: websocket\r\nProxy-Connection: keep-alive\r\nX-Kept: yes\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      Map<String, String> e = echoed(r.text());
      assertThat(e)
          .doesNotContainKeys(
              "h:x-secret",
              "h:keep-alive",
              "h:proxy-authorization",
              "h:te",
              "h:upgrade",
              "h:proxy-connection")
          .containsEntry("h:x-kept", "yes");
      // The proxy's own keep-alive connection to the backend has no Connection header to forward.
      assertThat(e).doesNotContainKey("h:connection");

      c.send("GET /hop HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response hop = c.read();
      assertThat(hop.status()).isEqualTo(200);
      assertThat(hop.headers())
          .doesNotContainKeys("x-internal", "keep-alive", "proxy-authenticate", "connection")
          .containsKey("x-end-to-end");
    }
  }

  @Test
  void propagatesOrCreatesTraceparent() throws Exception {
    String valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Map<String, String> passed =
        echoed(
            CLIENT
                .send(
                    HttpRequest.newBuilder(uri(proxy, "/echo"))
                        .header("traceparent", valid)
                        .header("tracestate", "vendor=abc")
                        .timeout(CLIENT_TIMEOUT)
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(passed)
        .containsEntry("h:traceparent", valid)
        .containsEntry("h:tracestate", "vendor=abc");

    Pattern shape = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01");
    Map<String, String> created = echoed(get(proxy, "/echo").body());
    Matcher m = shape.matcher(created.get("h:traceparent"));
    assertThat(m.matches()).isTrue();
    assertThat(m.group(1)).isNotEqualTo("0".repeat(32));

    Map<String, String> replaced =
        echoed(
            CLIENT
                .send(
                    HttpRequest.newBuilder(uri(proxy, "/echo"))
                        .header(
                            "traceparent",
                            "00-00000000000000000000000000000000-00f067aa0ba902b7-01")
                        .header("tracestate", "vendor=abc")
                        .timeout(CLIENT_TIMEOUT)
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(shape.matcher(replaced.get("h:traceparent")).matches()).isTrue();
    assertThat(replaced).doesNotContainKey("h:tracestate"); // invalid parent: state is dropped
  }

  @Test
  void streamsA64MibUploadWithoutAggregating() throws Exception {
    long size = 64L << 20;
    HttpRequest req =
        HttpRequest.newBuilder(uri(proxy, "/echo/upload"))
            .timeout(CLIENT_TIMEOUT.multipliedBy(4))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(size)))
            .build();
    HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(echoed(r.body())).containsEntry("body", Long.toString(size));
  }

  @Test
  void streamsA64MibDownload() throws Exception {
    long size = 64L << 20;
    HttpResponse<InputStream> r =
        CLIENT.send(
            HttpRequest.newBuilder(uri(proxy, "/big/" + size))
                .timeout(CLIENT_TIMEOUT.multipliedBy(4))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    long total = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = r.body()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
      }
    }
    assertThat(total).isEqualTo(size);
  }

  @Test
  void servesPipelinedRequestsInOrder() throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send(
          "GET /slow/150 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/second HTTP/1.1\r\nHost: x\r\n\r\n"
              + "HEAD /echo/third HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response first = c.read();
      RawHttp.Response second = c.read();
      RawHttp.Response third = c.read(true);
      assertThat(echoed(first.text())).containsEntry("uri", "/slow/150");
      assertThat(echoed(second.text())).containsEntry("uri", "/echo/second");
      assertThat(third.status()).isEqualTo(200);
      assertThat(third.body()).isEmpty();
      assertThat(Integer.parseInt(third.header("content-length"))).isPositive();
    }
  }

  @Test
  void http10ClientWithoutHostGetsAnAnswerAndAClose() throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("GET /echo HTTP/1.0\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(echoed(r.text()).get("h:host")).startsWith("127.0.0.1:");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void closeDelimitedBackendResponseIsChunkedToAKeepAliveClient() throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("GET /nolength HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
      assertThat(r.text()).isEqualTo("delimited by close\n");
      c.send("GET /echo/again HTTP/1.1\r\nHost: x\r\n\r\n"); // the client connection survived
      assertThat(c.read().status()).isEqualTo(200);
    }
  }

  @Test
  void answersExpectContinueItselfThenStreamsTheBody() throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response interim = c.read();
      assertThat(interim.status()).isEqualTo(100);
      c.send("hello");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(echoed(r.text())).containsEntry("body", "5").doesNotContainKey("h:expect");
    }
  }

  @Test
  void writesOneAccessLogRecordPerRequest() throws Exception {
    log.clear();
    HttpResponse<String> r = get(proxy, "/echo/logged?q=1");
    assertThat(r.statusCode()).isEqualTo(200);
    // The record is written right after the last byte is handed to the socket, so the client can
    // be a moment faster than the log.
    AccessLogRecord rec =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () -> log.stream().filter(x -> x.uri().equals("/echo/logged?q=1")).findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(rec.method()).isEqualTo("GET");
    assertThat(rec.status()).isEqualTo(200);
    assertThat(rec.route()).isEqualTo("all");
    assertThat(rec.backend()).isIn("a", "b");
    assertThat(rec.attempts()).isEqualTo(1);
    assertThat(rec.reason()).isEqualTo("-");
    assertThat(rec.responseBytes()).isEqualTo(r.body().length());
    assertThat(rec.traceId()).matches("[0-9a-f]{32}");
    assertThat(rec.protocol()).isEqualTo("HTTP/1.1");
    assertThat(rec.durationNanos()).isPositive();
    assertThat(rec.client().toString()).contains("127.0.0.1");
  }

  /** An input stream of {@code size} zero bytes, never held in memory at once. */
  static final class ZeroStream extends InputStream {
    private long remaining;

    ZeroStream(long size) {
      this.remaining = size;
    }

    @Override
    public int read() {
      if (remaining <= 0) {
        return -1;
      }
      remaining--;
      return 0;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      remaining -= n;
      return n;
    }
  }
}
