package io.dsblocks.loadbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.dsblocks.loadbalancer.proxy.ProxyMain;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ProxyMain started in-process with a YAML file: binds an ephemeral port on 127.0.0.1, prints it,
 * balances real requests over two in-test backends, writes the access log, and stops cleanly when
 * its thread is interrupted.
 */
@Tag("integration")
class ProxyMainEndToEndTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\((\\w+)\\)");

  @TempDir Path tmp;
  private final List<HttpServer> backends = new ArrayList<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  @AfterEach
  void stopBackends() {
    backends.forEach(b -> b.stop(0));
  }

  private int backend(String name) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/",
        ex -> {
          hits.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
          byte[] body =
              (name + " " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("x-backend", name);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    s.start();
    backends.add(s);
    return s.getAddress().getPort();
  }

  /** Collects what ProxyMain prints, line by line. */
  private static final class Lines extends OutputStream {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        lines.add(current.toString(StandardCharsets.UTF_8));
        current.reset();
      } else {
        current.write(b);
      }
    }
  }

  @Test
  void servesFromAYamlFileOnAnEphemeralPortAndStopsOnInterrupt() throws Exception {
    int a = backend("a");
    int b = backend("b");
    Path log = tmp.resolve("access.log");
    Path config = tmp.resolve("proxy.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "mode: http",
            "listen: {host: 127.0.0.1, port: 0}",
            "ioThreads: 1",
            "nativeTransport: false",
            "shutdownTimeout: 2s",
            "accessLog: access.log",
            "pools:",
            "  web:",
            "    strategy: roundRobin",
            "    endpoints: [127.0.0.1:" + a + ", 127.0.0.1:" + b + "]",
            "    healthCheck: {type: tcp, interval: 1h}",
            "routes:",
            "  - name: limited",
            "    pathPrefix: /limited/",
            "    pool: web",
            "    rateLimit: {rates: 1/h, burst: 1}",
            "  - name: all",
            "    pool: web",
            ""));
    Lines out = new Lines();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread main =
        new Thread(
            () ->
                exit.set(
                    ProxyMain.run(
                        new String[] {"--config", config.toString()},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))),
            "proxy-main");
    main.start();
    String first = out.lines.poll(30, TimeUnit.SECONDS);
    assertThat(first).as("stderr: %s", err).isNotNull();
    Matcher m = LISTENING.matcher(first);
    assertThat(m.matches()).as(first).isTrue();
    int port = Integer.parseInt(m.group(1));
    assertThat(port).isPositive();
    assertThat(m.group(2)).isEqualTo("nio");

    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/item/" + i))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).endsWith(" /item/" + i);
      served.add(r.headers().firstValue("x-backend").orElseThrow());
    }
    // Round robin over the two backends from the file.
    assertThat(served).containsOnly("a", "b");
    assertThat(hits.get("a").get()).isEqualTo(3);
    assertThat(hits.get("b").get()).isEqualTo(3);
    // The route's token bucket from "1/h, burst 1": one request, then 429.
    URI limited = URI.create("http://127.0.0.1:" + port + "/limited/x");
    assertThat(
            client
                .send(HttpRequest.newBuilder(limited).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> denied =
        client.send(HttpRequest.newBuilder(limited).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(denied.statusCode()).isEqualTo(429);
    assertThat(denied.headers().firstValue("retry-after")).isPresent();

    main.interrupt();
    main.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(main.isAlive()).isFalse();
    assertThat(exit.get()).isEqualTo(ProxyMain.EXIT_OK);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();

    // Stopped: the port no longer accepts connections.
    assertThat(canConnect(port)).isFalse();
    // The access log was flushed on stop: one line per request, in the documented format.
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize(8);
    assertThat(lines.get(0))
        .matches(
            "\\S+Z 127\\.0\\.0\\.1:\\d+ \"GET /item/0 HTTP/1\\.1\" 200 0 9 all 127\\.0\\.0\\.1:\\d+ 1 \\d+\\.\\d{3} [0-9a-f]{32} -");
    assertThat(lines.get(7))
        .contains("\"GET /limited/x HTTP/1.1\" 429 ")
        .contains(" limited - 0 ")
        .endsWith(" rate_limited");
  }

  @Test
  void portInUseExitsOneWithOneLine() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path config = tmp.resolve("busy.yaml");
      Files.writeString(
          config,
          "listen: 127.0.0.1:"
              + taken.getLocalPort()
              + "\nioThreads: 1\npools:\n  p: {strategy: p2c, endpoints: [127.0.0.1:9]}\nroutes: [{name: r, pool: p}]\n");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          ProxyMain.run(
              new String[] {"--config", config.toString()},
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(code).isEqualTo(ProxyMain.EXIT_START_FAILED);
      String e = err.toString(StandardCharsets.UTF_8);
      assertThat(e.lines()).hasSize(1);
      assertThat(e).startsWith("error: cannot start the proxy: ");
    }
  }

  private static boolean canConnect(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
