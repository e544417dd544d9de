package io.dsblocks.examples.loadbalancer;

import com.sun.net.httpserver.HttpServer;
import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.health.EjectionReason;
import io.dsblocks.loadbalancer.health.OutlierDetection;
import io.dsblocks.loadbalancer.proxy.BackendPool;
import io.dsblocks.loadbalancer.proxy.L7Proxy;
import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.dsblocks.loadbalancer.proxy.Route;
import io.dsblocks.loadbalancer.tls.SelfSignedCertificates;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.dsblocks.ratelimit.RateLimiters;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The L7 reverse proxy end to end, fully in-process on 127.0.0.1: three HTTP backends, the proxy in
 * front of them terminating TLS (a throw-away CA and a localhost certificate), balancing with
 * power-of-two-choices least-request, a per-endpoint circuit breaker, passive outlier ejection and
 * a rate-limited route. A client load run (HTTP/2 over TLS) kills one backend a third of the way
 * through; the proxy retries the idempotent requests that hit it on the other backends, ejects it,
 * and the run ends with the per-backend distribution, the ejections, the status codes and the
 * latency percentiles.
 *
 * <p>Run it with {@code java -cp examples/target/examples.jar
 * io.dsblocks.examples.loadbalancer.ReverseProxyExample}.
 */
public final class ReverseProxyExample {

  /** Client requests in the load run. */
  public static final int REQUESTS = 3_000;

  /** Every this many requests, one goes to the rate-limited {@code /report} route. */
  static final int REPORT_EVERY = 10;

  private static final int CLIENT_THREADS = 4;
  private static final Duration RUN_DEADLINE = Duration.ofSeconds(120);

  private ReverseProxyExample() {}

  /**
   * What the load run observed.
   *
   * @param requests requests sent
   * @param byBackend successful responses per backend name
   * @param byStatus responses per HTTP status ({@code -1}: the client saw an I/O error)
   * @param ejections ejection events, e.g. {@code "b3 (consecutive_failures) for 30s"}
   * @param killedBackend the backend stopped during the run
   * @param servedByKilledAfterKill responses from the killed backend after it was stopped
   * @param percentilesMillis latency percentiles p50, p90, p99, p99.9 and max, in milliseconds
   * @param protocol the HTTP version the client negotiated with the proxy
   * @param retries proxy retries on another backend
   */
  public record Result(
      int requests,
      Map<String, Integer> byBackend,
      Map<Integer, Integer> byStatus,
      List<String> ejections,
      String killedBackend,
      int servedByKilledAfterKill,
      double[] percentilesMillis,
      String protocol,
      long retries) {}

  /**
   * Runs the example, printing to standard output.
   *
   * @param args ignored
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    run(System.out, done -> {});
  }

  /**
   * Runs the example.
   *
   * @param out where to print
   * @param progress called with the number of completed requests
   * @return what was observed
   * @throws Exception if the run fails
   */
  public static Result run(PrintStream out, LongConsumer progress) throws Exception {
    Path dir = Files.createTempDirectory("dsblocks-proxy-example");
    List<HttpServer> backends = new ArrayList<>();
    Map<String, String> nameById = new ConcurrentHashMap<>();
    try {
      List<Endpoint> endpoints = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        HttpServer server = startBackend("b" + i);
        backends.add(server);
        Endpoint endpoint = Endpoint.of("127.0.0.1", server.getAddress().getPort());
        endpoints.add(endpoint);
        nameById.put(endpoint.id(), "b" + i);
      }
      out.printf(
          "3 backends on 127.0.0.1: %s%n",
          String.join(
              ", ", endpoints.stream().map(e -> nameById.get(e.id()) + "=" + e.port()).toList()));

      // A throw-away CA and a localhost certificate (Bouncy Castle): development TLS only.
      SelfSignedCertificates.LocalhostPki pki = SelfSignedCertificates.writeLocalhostPki(dir);

      List<String> ejections = Collections.synchronizedList(new ArrayList<>());
      LoadBalancer<Endpoint> lb =
          LoadBalancers.builder(Strategies.powerOfTwoChoices())
              .name("web")
              .outlierDetection(
                  OutlierDetection.builder()
                      .consecutiveFailures(3)
                      .consecutive5xx(5)
                      .baseEjectionTime(Duration.ofSeconds(30))
                      .maxEjectionPercent(50)
                      .build())
              .build(endpoints);
      lb.addListener(
          new LoadBalancerListener() {
            @Override
            public void onEndpointEjected(
                String balancer,
                Endpoint endpoint,
                EjectionReason reason,
                long ejectionNanos,
                int ejectionCount) {
              ejections.add(
                  nameById.get(endpoint.id())
                      + " ("
                      + reason.name().toLowerCase(java.util.Locale.ROOT)
                      + ") for "
                      + TimeUnit.NANOSECONDS.toSeconds(ejectionNanos)
                      + "s");
            }
          });

      LongAdder retries = new LongAdder();
      ProxyConfig config =
          ProxyConfig.builder()
              .bind("127.0.0.1", 0)
              .ioThreads(1)
              .tls(TlsConfig.of(pki.serverCertificate(), pki.serverKey()))
              .pool(
                  BackendPool.builder("web", lb)
                      .connectTimeout(Duration.ofSeconds(1))
                      .circuitBreaker(
                          CircuitBreakerConfig.builder()
                              .countBasedWindow(20)
                              .minimumNumberOfCalls(5)
                              .failureRateThreshold(50)
                              .waitDurationInOpenState(Duration.ofSeconds(30))
                              .build())
                      .build())
              // 50 reports per minute at most: the rest get 429 with Retry-After.
              .route(
                  Route.builder("report")
                      .pathPrefix("/report")
                      .toPool("web")
                      .rateLimiter(RateLimiters.tokenBucket(50, Duration.ofMinutes(1)))
                      .build())
              .route(Route.all("api", "web"))
              // A backend that accepts a request and never answers costs at most 1 s: the
              // (idempotent) request is then retried on another backend.
              .requestTimeout(Duration.ofSeconds(1))
              .maxRetries(2)
              .listener(
                  new io.dsblocks.loadbalancer.proxy.ProxyListener() {
                    @Override
                    public void onRetry(String pool, Endpoint failed, int attempt) {
                      retries.increment();
                    }
                  })
              .build();

      try (L7Proxy proxy = L7Proxy.start(config)) {
        out.printf(
            "proxy on https://localhost:%d (TLS, HTTP/2 via ALPN, P2C least-request, breaker,"
                + " outlier ejection, /report limited to 50/min)%n",
            proxy.port());
        HttpClient client =
            HttpClient.newBuilder()
                .version(
                    Boolean.getBoolean("example.http1")
                        ? HttpClient.Version.HTTP_1_1
                        : HttpClient.Version.HTTP_2)
                .sslContext(trusting(pki.caCertificate()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        Result r = load(client, proxy.port(), backends.get(2), nameById, progress, out);
        r =
            new Result(
                r.requests(),
                r.byBackend(),
                r.byStatus(),
                List.copyOf(ejections),
                r.killedBackend(),
                r.servedByKilledAfterKill(),
                r.percentilesMillis(),
                r.protocol(),
                retries.sum());
        print(out, r, proxy);
        return r;
      }
    } finally {
      for (HttpServer s : backends) {
        s.stop(0);
      }
      deleteTree(dir);
    }
  }

  private static Result load(
      HttpClient client,
      int port,
      HttpServer victim,
      Map<String, String> nameById,
      LongConsumer progress,
      PrintStream out)
      throws InterruptedException {
    Map<String, AtomicInteger> byBackend = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    long[] latencies = new long[REQUESTS];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger servedByKilled = new AtomicInteger();
    String[] protocol = {"?"};
    CountDownLatch killed = new CountDownLatch(1);
    String victimName = "b3";
    long deadline = System.nanoTime() + RUN_DEADLINE.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    try {
      for (int t = 0; t < CLIENT_THREADS; t++) {
        pool.execute(
            () -> {
              int i;
              while ((i = next.getAndIncrement()) < REQUESTS && System.nanoTime() < deadline) {
                String path = i % REPORT_EVERY == 0 ? "/report/" + i : "/api/items/" + i;
                HttpRequest request =
                    HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build();
                long t0 = System.nanoTime();
                int status;
                try {
                  HttpResponse<String> response =
                      client.send(request, HttpResponse.BodyHandlers.ofString());
                  status = response.statusCode();
                  protocol[0] = response.version().name();
                  if (status == 200) {
                    String backend = response.body().strip();
                    byBackend.computeIfAbsent(backend, k -> new AtomicInteger()).incrementAndGet();
                    if (backend.equals(victimName) && killed.getCount() == 0) {
                      servedByKilled.incrementAndGet();
                    }
                  }
                } catch (IOException e) {
                  status = -1;
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                latencies[i] = System.nanoTime() - t0;
                byStatus.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                int done = completed.incrementAndGet();
                progress.accept(done);
                if (done == REQUESTS / 3 && killed.getCount() == 1) {
                  // Kill b3 a third of the way through: its listener and open connections close.
                  victim.stop(0);
                  killed.countDown();
                }
              }
            });
      }
    } finally {
      pool.shutdown();
      if (!pool.awaitTermination(RUN_DEADLINE.toSeconds() + 10, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    }
    int sent = Math.min(next.get(), REQUESTS);
    long[] measured = Arrays.copyOf(latencies, completed.get());
    Arrays.sort(measured);
    double[] pct = {
      millis(measured, 0.50),
      millis(measured, 0.90),
      millis(measured, 0.99),
      millis(measured, 0.999),
      millis(measured, 1.0)
    };
    Map<String, Integer> backends = new TreeMap<>();
    byBackend.forEach((k, v) -> backends.put(k, v.get()));
    Map<Integer, Integer> statuses = new TreeMap<>();
    byStatus.forEach((k, v) -> statuses.put(k, v.get()));
    return new Result(
        sent, backends, statuses, List.of(), victimName, servedByKilled.get(), pct, protocol[0], 0);
  }

  private static void print(PrintStream out, Result r, L7Proxy proxy) {
    out.printf(
        "%d requests over %s; %s killed after %d%n",
        r.requests(), r.protocol(), r.killedBackend(), REQUESTS / 3);
    out.printf("served by backend: %s%n", r.byBackend());
    out.printf("status codes: %s (429 = /report over its limit)%n", r.byStatus());
    out.printf("ejections: %s%n", r.ejections().isEmpty() ? "none" : r.ejections());
    out.printf(
        "retried on another backend: %d; answers from %s after the kill: %d%n",
        r.retries(), r.killedBackend(), r.servedByKilledAfterKill());
    proxy
        .circuitBreaker("web", endpointIdOf(proxy, 2))
        .ifPresent(b -> out.printf("breaker of %s: %s%n", r.killedBackend(), b.state()));
    double[] p = r.percentilesMillis();
    out.printf(
        "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
        p[0], p[1], p[2], p[3], p[4]);
  }

  private static String endpointIdOf(L7Proxy proxy, int index) {
    return proxy.config().pools().get("web").picker() instanceof LoadBalancer<?> lb
        ? lb.endpoints().get(index).id()
        : "";
  }

  private static double millis(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }

  private static HttpServer startBackend(String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
          }
          exchange.getResponseHeaders().add("Content-Type", "text/plain");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(2, r -> daemon(r, name)));
    server.start();
    return server;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, "backend-" + name);
    t.setDaemon(true);
    return t;
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      X509Certificate ca =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      trust.setCertificateEntry("ca", ca);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
