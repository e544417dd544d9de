package io.dsblocks.loadbalancer.proxy;

import static io.dsblocks.loadbalancer.proxy.Fixtures.proxy;
import static io.dsblocks.loadbalancer.proxy.Fixtures.roundRobin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input over raw sockets: malformed and oversized requests, disallowed methods, slowloris, the
 * connection limit. Each gets its status, nothing reaches a backend, nothing leaks, and the proxy
 * keeps serving.
 */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L7ProxyValidationTest {
  private static TestBackend backend;
  private static L7Proxy proxy;
  private static final List<AccessLogRecord> log = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    backend = TestBackend.start("v");
    proxy =
        L7Proxy.start(
            proxy(roundRobin(backend))
                .maxInitialLineLength(256)
                .maxHeaderSize(1024)
                .maxBodySize(1000)
                .allowedMethods(Set.of("GET", "POST", "HEAD"))
                .headerReadTimeout(Duration.ofMillis(500))
                .accessLog(log::add)
                .build());
  }

  @AfterAll
  static void stop() {
    proxy.close();
    backend.close();
  }

  private static RawHttp.Response exchange(String raw) throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send(raw);
      RawHttp.Response r = c.read();
      return r;
    }
  }

  @Test
  void garbageGets400AndTheConnectionCloses() throws Exception {
    int before = backend.requests();
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("THIS IS NOT HTTP\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.header("connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(backend.requests()).isEqualTo(before);
  }

  @Test
  void bareLineFeedsAreRejectedNotGuessed() throws Exception {
    assertThat(exchange("GET / HTTP/1.1\nHost: x\n\n").status()).isEqualTo(400);
  }

  @Test
  void conflictingContentLengthAndTransferEncodingGets400() throws Exception {
    RawHttp.Response r =
        exchange(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void whitespaceBeforeAHeaderColonGets400() throws Exception {
    // A backend that trims the name would read a chunked body that we framed by Content-Length:
    // the request decoder keeps header-name validation on for exactly this (RFC 9112 section 5.1).
    int before = backend.requests();
    RawHttp.Response r =
        exchange(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding : chunked\r\n\r\n"
                + "0\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(backend.requests()).isEqualTo(before);
  }

  @Test
  void unknownTransferCodingGets400() throws Exception {
    RawHttp.Response r =
        exchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void missingOrDuplicateHostGets400() throws Exception {
    assertThat(exchange("GET / HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
    assertThat(exchange("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status()).isEqualTo(400);
  }

  @Test
  void tooLongRequestLineGets414() throws Exception {
    RawHttp.Response r = exchange("GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.status()).isEqualTo(414);
  }

  @Test
  void tooLargeHeaderBlockGets431() throws Exception {
    RawHttp.Response r =
        exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n");
    assertThat(r.status()).isEqualTo(431);
  }

  @Test
  void disallowedMethodGets405WithAllow() throws Exception {
    RawHttp.Response r = exchange("DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.header("allow")).isEqualTo("GET, HEAD, POST");
  }

  @Test
  void announcedOversizedBodyGets413AtOnce() throws Exception {
    int before = backend.requests();
    RawHttp.Response r = exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
    assertThat(r.status()).isEqualTo(413);
    assertThat(backend.requests()).isEqualTo(before);
  }

  @Test
  void chunkedBodyCrossingTheLimitGets413() throws Exception {
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = "200\r\n" + "z".repeat(512) + "\r\n";
      c.send(chunk + chunk + chunk); // 1536 bytes > 1000
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void unsupportedExpectationGets417() throws Exception {
    RawHttp.Response r = exchange("GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n");
    assertThat(r.status()).isEqualTo(417);
  }

  @Test
  void slowlorisGets408AlthoughBytesKeepComing() throws Exception {
    ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\n");
      // One header byte every 50 ms: the connection is never idle, only the deadline can end it.
      byte[] one = "X".getBytes(StandardCharsets.US_ASCII);
      drip.scheduleAtFixedRate(
          () -> {
            try {
              c.send(one);
            } catch (Exception e) {
              // the proxy closed the connection: expected
            }
          },
          0,
          50,
          TimeUnit.MILLISECONDS);
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.header("connection")).isEqualTo("close");
    } finally {
      drip.shutdownNow();
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(log)
                    .anyMatch(rec -> rec.status() == 408 && rec.reason().equals("header_timeout")));
  }

  @Test
  void rejectedRequestsAreLoggedAndTheProxyStillServes() throws Exception {
    exchange("DELETE /logged HTTP/1.1\r\nHost: x\r\n\r\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(log)
                    .anyMatch(
                        rec ->
                            rec.status() == 405
                                && rec.uri().equals("/logged")
                                && rec.reason().equals("method_not_allowed")
                                && rec.attempts() == 0
                                && rec.backend().equals("-")));
    assertThat(exchange("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (L7Proxy quick =
            L7Proxy.start(proxy(roundRobin(backend)).idleTimeout(Duration.ofMillis(300)).build());
        RawHttp c = new RawHttp(quick.port())) {
      // The idle time starts when the response has been written, so it cannot end earlier than
      // 300 ms after the request was sent (measured from here, not from when this thread got
      // round to reading the response, which can lag on a loaded machine).
      long start = System.nanoTime();
      c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(200);
      assertThat(c.closedByPeer()).isTrue(); // silently, no 408 for a connection between requests
      assertThat(System.nanoTime() - start)
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    }
  }

  @Test
  void connectionLimitClosesExtraConnections() throws Exception {
    try (L7Proxy small = L7Proxy.start(proxy(roundRobin(backend)).maxConnections(1).build())) {
      try (RawHttp first = new RawHttp(small.port())) {
        first.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(first.read().status()).isEqualTo(200); // first is surely admitted now
        try (RawHttp second = new RawHttp(small.port())) {
          assertThat(second.closedByPeer()).isTrue();
        }
        assertThat(small.stats().connectionsRejected()).isEqualTo(1);
        first.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(first.read().status()).isEqualTo(200);
      }
    }
  }
}
