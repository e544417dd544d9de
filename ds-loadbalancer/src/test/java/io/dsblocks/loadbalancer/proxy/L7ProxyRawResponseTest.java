package io.dsblocks.loadbalancer.proxy;

import static io.dsblocks.loadbalancer.proxy.Fixtures.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The raw response path end to end: a backend that writes exact bytes (which a Netty test server
 * would normalise) behind the proxy, and a raw client that checks the bytes that come out.
 */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L7ProxyRawResponseTest {
  private final List<AccessLogRecord> log = new CopyOnWriteArrayList<>();
  private BytesBackend backend;
  private L7Proxy proxy;

  /** Answers every request head with the bytes the script gives for its path, keeping alive. */
  private static final class BytesBackend implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger connections = new AtomicInteger();
    final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    final Thread acceptor;

    BytesBackend(Function<String, String> script) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s, script), "bytes-backend-conn");
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "bytes-backend");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private static void serve(Socket s, Function<String, String> script) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        for (String head = readHead(in); head != null; head = readHead(in)) {
          String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', 5));
          out.write(script.apply(path).getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
      } catch (IOException e) {
        // the proxy closed the connection
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1) {
        b.write(c);
        byte[] x = b.toByteArray();
        int n = x.length;
        if (n >= 4
            && x[n - 4] == '\r'
            && x[n - 3] == '\n'
            && x[n - 2] == '\r'
            && x[n - 1] == '\n') {
          return b.toString(StandardCharsets.ISO_8859_1);
        }
      }
      return null;
    }

    Endpoint endpoint() {
      return Endpoint.builder().id("raw").host("127.0.0.1").port(server.getLocalPort()).build();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private void start(Function<String, String> script) throws IOException {
    backend = new BytesBackend(script);
    LoadBalancer<Endpoint> lb =
        LoadBalancers.builder(Strategies.roundRobin())
            .name("raw")
            .seed(1)
            .build(List.of(backend.endpoint()));
    proxy = L7Proxy.start(proxy(lb).accessLog(log::add).viaName("test-proxy").build());
  }

  @AfterEach
  void stop() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private static final String CHUNKED_BODY =
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

  @Test
  void chunkedBodyWithExtensionsAndTrailersIsForwardedByteForByteOnAReusedConnection()
      throws Exception {
    start(
        path ->
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: X-Drop\r\n"
                + "X-Drop: 1\r\nX-Kept: 2\r\n\r\n"
                + CHUNKED_BODY);
    String expected =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kept: 2\r\nvia: 1.1 test-proxy\r\n\r\n"
            + CHUNKED_BODY;
    try (RawHttp c = new RawHttp(proxy.port())) {
      for (int i = 0; i < 3; i++) {
        c.send("GET /r" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
        byte[] got = new byte[expected.length()];
        c.readSome(got);
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
      }
    }
    assertThat(backend.connections.get()).isEqualTo(1); // the backend connection was reused
    await().atMost(Duration.ofSeconds(5)).until(() -> log.size() == 3);
    for (AccessLogRecord r : log) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.responseBytes()).isEqualTo(11); // payload, without the chunk framing
    }
  }

  @Test
  void brokenChunkFramingClosesTheClientAndIsLoggedAsABadResponse() throws Exception {
    start(path -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("GET /bad HTTP/1.1\r\nHost: x\r\n\r\n");
      // readToEnd returns at the close; what came before is never a complete response (here the
      // head had not left yet: it was waiting to share a buffer with the first body bytes).
      String got = new String(c.readToEnd(), StandardCharsets.ISO_8859_1);
      assertThat(got).doesNotContain("0\r\n\r\n").doesNotContain("hello");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> log.size() == 1);
    assertThat(log.get(0).reason()).isEqualTo("bad_response");
  }

  @Test
  void contentLengthAnd204AndHeadResponsesKeepTheClientConnection() throws Exception {
    start(
        path ->
            path.equals("/nc")
                ? "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n\r\n"
                    + (path.equals("/head") ? "" : "hello"));
    try (RawHttp c = new RawHttp(proxy.port())) {
      c.send("GET /cl HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response cl = c.read();
      assertThat(cl.text()).isEqualTo("hello");
      assertThat(cl.headers()).doesNotContainKey("keep-alive").containsKey("via");
      c.send("GET /nc HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(204);
      c.send("HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response head = c.read(true);
      assertThat(head.header("content-length")).isEqualTo("5");
      c.send("GET /cl HTTP/1.1\r\nHost: x\r\n\r\n"); // nothing of the HEAD's "body" is left over
      assertThat(c.read().text()).isEqualTo("hello");
    }
    assertThat(backend.connections.get()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> log.size() == 4);
    assertThat(log.stream().mapToLong(AccessLogRecord::responseBytes).sum()).isEqualTo(10);
  }
}
