package io.dsblocks.loadbalancer.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.netty.channel.epoll.Epoll;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The L4 proxy over real sockets: relay, half-close, back-pressure, retries, limits, shutdown. */
@Tag("integration")
@ExtendWith(LeakCheck.class)
class L4ProxyTest {

  private static LoadBalancer<Endpoint> lb(List<Endpoint> endpoints) {
    return LoadBalancers.builder(Strategies.roundRobin()).name("l4").seed(7).build(endpoints);
  }

  private static L4ProxyConfig.Builder config(LoadBalancer<Endpoint> lb) {
    return L4ProxyConfig.builder(lb)
        .bind("127.0.0.1", 0)
        .ioThreads(1)
        .shutdownTimeout(Duration.ofSeconds(2));
  }

  private static Socket connect(L4Proxy proxy) throws Exception {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void echoesThroughTheProxyWithHalfClose() throws Exception {
    try (EchoServer echo = new EchoServer("e");
        L4Proxy proxy = L4Proxy.start(config(lb(List.of(echo.endpoint()))).build());
        Socket s = connect(proxy)) {
      assertThat(proxy.transport()).isEqualTo("nio"); // see L4ProxyConfig#nativeTransport
      OutputStream out = s.getOutputStream();
      out.write("hello, half-closed world".getBytes(StandardCharsets.UTF_8));
      out.flush();
      s.shutdownOutput(); // FIN towards the backend through the proxy...
      // ...yet the answer still flows back, followed by the backend's own FIN.
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("hello, half-closed world");
    }
  }

  @Test
  void epollCanBeChosenForProtocolsThatDoNotHalfClose() throws Exception {
    try (EchoServer echo = new EchoServer("e");
        L4Proxy proxy =
            L4Proxy.start(config(lb(List.of(echo.endpoint()))).nativeTransport(true).build());
        Socket s = connect(proxy)) {
      assertThat(proxy.transport()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
      byte[] ping = "ping over epoll".getBytes(StandardCharsets.UTF_8);
      s.getOutputStream().write(ping);
      assertThat(s.getInputStream().readNBytes(ping.length)).isEqualTo(ping);
    }
  }

  @Test
  void relaysA32MibStreamBothWaysIntact() throws Exception {
    int size = 32 << 20;
    try (EchoServer echo = new EchoServer("e");
        L4Proxy proxy = L4Proxy.start(config(lb(List.of(echo.endpoint()))).build());
        Socket s = connect(proxy)) {
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      CompletableFuture<byte[]> received =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  MessageDigest d = MessageDigest.getInstance("SHA-256");
                  InputStream in = s.getInputStream();
                  byte[] buf = new byte[1 << 16];
                  long total = 0;
                  for (int n; (n = in.read(buf)) != -1; ) {
                    d.update(buf, 0, n);
                    total += n;
                  }
                  assertThat(total).isEqualTo(size);
                  return d.digest();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Random random = new Random(42);
      byte[] chunk = new byte[1 << 16];
      OutputStream out = s.getOutputStream();
      for (int written = 0; written < size; written += chunk.length) {
        random.nextBytes(chunk);
        sent.update(chunk);
        out.write(chunk); // blocks when the proxy stops reading: back-pressure end to end
      }
      s.shutdownOutput();
      assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent.digest());
      assertThat(proxy.stats().bytesFromClients()).isEqualTo(size);
    }
  }

  @Test
  void failedConnectIsRetriedOnAnotherBackend() throws Exception {
    int deadPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      deadPort = probe.getLocalPort(); // closed below: connections are refused
    }
    Endpoint dead = Endpoint.builder().id("dead").host("127.0.0.1").port(deadPort).build();
    try (EchoServer echo = new EchoServer("live");
        L4Proxy proxy = L4Proxy.start(config(lb(List.of(dead, echo.endpoint()))).build())) {
      for (int i = 0; i < 4; i++) {
        try (Socket s = connect(proxy)) {
          s.getOutputStream().write(("ping" + i).getBytes(StandardCharsets.UTF_8));
          s.shutdownOutput();
          assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
              .isEqualTo("ping" + i);
        }
      }
      assertThat(echo.accepted()).isEqualTo(4);
      assertThat(proxy.stats().backendConnectFailures()).isPositive();
    }
  }

  @Test
  void everyBackendRefusingClosesTheClient() throws Exception {
    int deadPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      deadPort = probe.getLocalPort();
    }
    Endpoint dead = Endpoint.builder().id("dead").host("127.0.0.1").port(deadPort).build();
    try (L4Proxy proxy = L4Proxy.start(config(lb(List.of(dead))).maxConnectAttempts(2).build());
        Socket s = connect(proxy)) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(proxy.stats().backendConnectFailures()).isEqualTo(2);
    }
  }

  @Test
  void idleConnectionIsClosed() throws Exception {
    try (EchoServer echo = new EchoServer("e");
        L4Proxy proxy =
            L4Proxy.start(
                config(lb(List.of(echo.endpoint()))).idleTimeout(Duration.ofMillis(300)).build());
        Socket s = connect(proxy)) {
      long start = System.nanoTime(); // the proxy's last activity is after this write
      s.getOutputStream().write(1);
      assertThat(s.getInputStream().read()).isEqualTo(1);
      assertThat(s.getInputStream().read()).isEqualTo(-1); // closed by the proxy, not by us
      assertThat(System.nanoTime() - start)
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    }
  }

  @Test
  void connectionLimitClosesExtraConnections() throws Exception {
    try (EchoServer echo = new EchoServer("e");
        L4Proxy proxy =
            L4Proxy.start(config(lb(List.of(echo.endpoint()))).maxConnections(1).build());
        Socket first = connect(proxy)) {
      first.getOutputStream().write(7);
      assertThat(first.getInputStream().read()).isEqualTo(7); // admitted and relaying
      try (Socket second = connect(proxy)) {
        assertThat(second.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(proxy.stats().connectionsRejected()).isEqualTo(1);
      assertThat(echo.accepted()).isEqualTo(1);
    }
  }

  @Test
  void shutdownWaitsForConnectionsThenCutsThem() throws Exception {
    try (EchoServer echo = new EchoServer("e")) {
      L4Proxy proxy = L4Proxy.start(config(lb(List.of(echo.endpoint()))).build());
      int port = proxy.port();
      try (Socket s = connect(proxy)) {
        s.getOutputStream().write(9);
        assertThat(s.getInputStream().read()).isEqualTo(9);
        assertThat(proxy.shutdownGracefully(Duration.ofMillis(200))).isFalse(); // still open
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .isInstanceOf(java.net.ConnectException.class);
    }
  }

  @Test
  void shutdownReturnsTrueWhenConnectionsEndInTime() throws Exception {
    try (EchoServer echo = new EchoServer("e")) {
      L4Proxy proxy = L4Proxy.start(config(lb(List.of(echo.endpoint()))).build());
      try (Socket s = connect(proxy)) {
        s.getOutputStream().write(1);
        assertThat(s.getInputStream().read()).isEqualTo(1);
        CompletableFuture<Boolean> done =
            CompletableFuture.supplyAsync(() -> proxy.shutdownGracefully(Duration.ofSeconds(10)));
        s.shutdownOutput(); // the client finishes: the echo half-closes back, the tunnel ends
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        assertThat(done.get(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
