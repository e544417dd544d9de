package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.health.OutlierDetection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Shared helpers for the proxy tests: balancers over test backends, a proxy config, a client. */
final class Fixtures {
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Fixtures() {}

  static List<Endpoint> endpoints(TestBackend... backends) {
    List<Endpoint> list = new ArrayList<>();
    for (TestBackend b : backends) {
      list.add(b.endpoint());
    }
    return list;
  }

  /** Round robin, no outlier detection (so tests see every pick). */
  static LoadBalancer<Endpoint> roundRobin(TestBackend... backends) {
    return LoadBalancers.builder(Strategies.roundRobin())
        .name("test")
        .seed(1)
        .build(endpoints(backends));
  }

  /** Round robin that ejects an endpoint after one failure. */
  static LoadBalancer<Endpoint> roundRobinEjecting(TestBackend... backends) {
    return LoadBalancers.builder(Strategies.roundRobin())
        .name("test")
        .seed(1)
        .outlierDetection(
            OutlierDetection.builder()
                .consecutiveFailures(1)
                .consecutive5xx(1)
                .successRate(false)
                .baseEjectionTime(Duration.ofMinutes(5))
                .maxEjectionPercent(50)
                .build())
        .build(endpoints(backends));
  }

  /** One pool "web", one catch-all route, one I/O thread, loopback, any port. */
  static ProxyConfig.Builder proxy(LoadBalancer<Endpoint> lb) {
    return ProxyConfig.builder()
        .bind("127.0.0.1", 0)
        .ioThreads(1)
        .shutdownTimeout(Duration.ofSeconds(5))
        .pool(BackendPool.of("web", lb))
        .route(Route.all("all", "web"));
  }

  static URI uri(L7Proxy proxy, String path) {
    return URI.create("http://127.0.0.1:" + proxy.port() + path);
  }

  static HttpResponse<String> get(L7Proxy proxy, String path)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(uri(proxy, path)).timeout(CLIENT_TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A manually advanced ds-ratelimit ticker, for limiters and retry budgets. */
  static final class ManualRateTicker implements io.dsblocks.ratelimit.Ticker {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
      return nanos.get();
    }
  }
}
