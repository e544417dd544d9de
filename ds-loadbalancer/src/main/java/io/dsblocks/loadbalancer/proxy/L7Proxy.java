package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.internal.proxy.ConnectionTracker;
import io.dsblocks.loadbalancer.internal.proxy.H2ConnectionHandler;
import io.dsblocks.loadbalancer.internal.proxy.HttpChannelInitializer;
import io.dsblocks.loadbalancer.internal.proxy.HttpProxyHandler;
import io.dsblocks.loadbalancer.internal.proxy.HttpProxyRuntime;
import io.dsblocks.loadbalancer.internal.proxy.ProxyCounters;
import io.dsblocks.loadbalancer.internal.proxy.ProxyServer;
import io.dsblocks.loadbalancer.internal.proxy.Transport;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.dsblocks.loadbalancer.tls.TlsContextProvider;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.netty.channel.Channel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * An HTTP reverse proxy on Netty: routes requests by host, path prefix and headers to backend
 * pools, balances them with the pools' {@link io.dsblocks.loadbalancer.Picker}s over pooled
 * keep-alive HTTP/1.1 connections, and streams bodies both ways without buffering them. Clients
 * speak HTTP/1.1, or, with {@link ProxyConfig#tls()}, HTTPS with HTTP/2 or HTTP/1.1 chosen by ALPN;
 * every HTTP/2 stream goes through the same request handling as an HTTP/1.1 request.
 *
 * <pre>{@code
 * LoadBalancer<Endpoint> web = LoadBalancers.builder(Strategies.powerOfTwoChoices())
 *     .build(List.of(Endpoint.of("10.0.0.1", 8080), Endpoint.of("10.0.0.2", 8080)));
 * try (L7Proxy proxy = L7Proxy.start(ProxyConfig.builder()
 *     .bind("0.0.0.0", 8080)
 *     .pool(BackendPool.of("web", web))
 *     .route(Route.all("default", "web"))
 *     .build())) {
 *   ...
 * }
 * }</pre>
 *
 * <pre>{@code
 * try (L7Proxy proxy = L7Proxy.start(ProxyConfig.builder()
 *     .bind("0.0.0.0", 8443)
 *     .tls(TlsConfig.of(Path.of("cert.pem"), Path.of("key.pem")))   // HTTPS; h2 via ALPN
 *     .auth(AuthRules.builder().route("/", AuthPolicy.builder().anyOf(jwt).build()).build())
 *     .pool(BackendPool.of("web", web))
 *     .route(Route.all("default", "web"))
 *     .build())) {
 *   ...
 * }
 * }</pre>
 *
 * <p>A request's path through the proxy, in order: the request head is parsed under the line and
 * header limits (414/431/400) and validated (405, 413, 417, 400); with auth configured, its path is
 * normalized (dot segments, repeated slashes; ambiguous encodings get 400) and the proxy's {@link
 * ProxyConfig#auth()} rules are evaluated (401/403); the first matching {@link Route} is chosen
 * (404 if none) and its {@link Route#auth()} policy evaluated (401/403); hop-by-hop headers are
 * removed; the global then route {@link HttpFilter}s run (their answer is sent instead, e.g. 401);
 * the route's rate limiter is asked (429 with {@code Retry-After}); {@code X-Forwarded-*}, {@code
 * Via} and {@code traceparent} are set; the pool's picker chooses an endpoint whose circuit breaker
 * admits the call (503 if none does); the request goes out on an idle pooled connection to it or a
 * new one; the body streams up and the response streams down, each side reading only while the
 * other can take more. A failed connect (502), a reset (502) or a response that does not start
 * within the request timeout (504) is retried on another endpoint when it is safe (see {@link
 * ProxyConfig#maxRetries()}) and the retry budget allows. Every attempt's outcome is reported to
 * the picker's selection (status and latency, or failure) and to the endpoint's breaker, and every
 * request produces one access log record.
 *
 * <p>Thread-safe. {@link #close()} drains: it stops accepting, lets in-flight requests finish (each
 * HTTP/1.1 connection closes after its current response; each HTTP/2 connection gets a GOAWAY and
 * closes once its open streams are done) for up to the shutdown timeout, then cuts what is left,
 * releases the threads and closes the TLS provider. It is idempotent.
 */
public final class L7Proxy implements AutoCloseable {
  private final ProxyConfig config;
  private final ProxyServer server;
  private final HttpProxyRuntime runtime;
  private final TlsContextProvider tls;
  private final ScheduledExecutorService tlsPoller;

  private L7Proxy(
      ProxyConfig config,
      ProxyServer server,
      HttpProxyRuntime runtime,
      TlsContextProvider tls,
      ScheduledExecutorService tlsPoller) {
    this.config = config;
    this.server = server;
    this.runtime = runtime;
    this.tls = tls;
    this.tlsPoller = tlsPoller;
  }

  /**
   * Binds the listening socket and starts serving.
   *
   * @param config the configuration
   * @return the running proxy
   * @throws ProxyException if the address cannot be bound
   * @throws IllegalArgumentException if a TLS certificate or key file became unreadable or invalid
   *     since the config was built
   * @throws NullPointerException if {@code config} is null
   */
  public static L7Proxy start(ProxyConfig config) {
    Objects.requireNonNull(config, "config must not be null");
    Transport transport = Transport.select(config.nativeTransport());
    ProxyCounters counters = new ProxyCounters();
    ConnectionTracker tracker = new ConnectionTracker(config.maxConnections());
    HttpProxyRuntime runtime = new HttpProxyRuntime(config, transport, counters);
    TlsContextProvider tls =
        config.tls().map(t -> TlsContextProvider.create(alpn(config, t))).orElse(null);
    // Reads are pulled one message at a time (pipelining, body back-pressure): ProxyServer starts
    // children with auto-read off.
    ProxyServer server;
    try {
      server =
          ProxyServer.bind(
              "L7",
              transport,
              config.ioThreads(),
              tracker,
              counters,
              config.host(),
              config.port(),
              sb -> sb.childHandler(new HttpChannelInitializer(runtime, tracker, tls)));
    } catch (RuntimeException e) {
      if (tls != null) {
        tls.close();
      }
      throw e;
    }
    ScheduledExecutorService poller = null;
    if (tls != null && config.tlsReloadInterval().isPresent()) {
      // A thread of our own: reading and parsing certificate files must not stall an event loop.
      poller =
          Executors.newSingleThreadScheduledExecutor(
              new DefaultThreadFactory("dsblocks-l7-tls-reload", true));
      tls.startPolling(poller, config.tlsReloadInterval().get());
    }
    return new L7Proxy(config, server, runtime, tls, poller);
  }

  /** The TLS config with {@code h2} removed from ALPN when HTTP/2 is off. */
  private static TlsConfig alpn(ProxyConfig config, TlsConfig t) {
    if (config.http2() || !t.applicationProtocols().contains(TlsConfig.ALPN_H2)) {
      return t;
    }
    return t.withApplicationProtocols(
        t.applicationProtocols().stream().filter(p -> !p.equals(TlsConfig.ALPN_H2)).toList());
  }

  /**
   * The TLS termination in use: certificates in service, handshake counters, and {@code reload()}
   * to pick up renewed certificate files at once.
   *
   * @return the provider, or empty for a plain-text listener
   */
  public Optional<TlsContextProvider> tls() {
    return Optional.ofNullable(tls);
  }

  /**
   * The bound address.
   *
   * @return the listening socket's address
   */
  public InetSocketAddress localAddress() {
    return server.localAddress();
  }

  /**
   * The bound port (useful with port 0).
   *
   * @return the port
   */
  public int port() {
    return localAddress().getPort();
  }

  /**
   * The transport in use.
   *
   * @return {@code "epoll"} or {@code "nio"}
   */
  public String transport() {
    return server.transport().name();
  }

  /**
   * A snapshot of the counters.
   *
   * @return the stats
   */
  public ProxyStats stats() {
    return server.stats();
  }

  /**
   * The configuration.
   *
   * @return the configuration given to {@link #start}
   */
  public ProxyConfig config() {
    return config;
  }

  /**
   * The circuit breaker of one endpoint of a pool, e.g. to watch or force its state.
   *
   * @param pool the pool name
   * @param endpointId the endpoint id
   * @return the breaker, or empty if the pool has no breakers or the endpoint has not been used yet
   */
  public Optional<CircuitBreaker> circuitBreaker(String pool, String endpointId) {
    return runtime.breaker(pool, endpointId);
  }

  /**
   * Drains and stops: no new connections are accepted, idle connections close at once, every busy
   * connection closes after its current response, and after {@code timeout} whatever is still open
   * is closed. Then the threads are released. Idempotent.
   *
   * @param timeout how long in-flight requests may take to finish
   * @return true if every connection closed by itself within the timeout
   */
  public boolean shutdownGracefully(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout must not be null");
    if (!server.markClosed()) {
      return true;
    }
    runtime.startDraining();
    server.stopAccepting();
    for (Channel ch : server.channels()) {
      ch.eventLoop()
          .execute(
              () -> {
                HttpProxyHandler h = ch.pipeline().get(HttpProxyHandler.class);
                H2ConnectionHandler h2 = ch.pipeline().get(H2ConnectionHandler.class);
                if (h != null) {
                  h.drain();
                } else if (h2 != null) {
                  h2.drain(); // GOAWAY; closes when the open streams are done
                } else {
                  ch.close(); // still in the TLS handshake: no request started yet
                }
              });
    }
    boolean drained = server.awaitConnectionsAndRelease(timeout);
    if (tlsPoller != null) {
      tlsPoller.shutdownNow();
    }
    if (tls != null) {
      tls.close();
    }
    return drained;
  }

  /** {@link #shutdownGracefully} with {@link ProxyConfig#shutdownTimeout()}. */
  @Override
  public void close() {
    shutdownGracefully(config.shutdownTimeout());
  }

  @Override
  public String toString() {
    return "L7Proxy{" + localAddress() + ", " + server.transport() + '}';
  }
}
