package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Ticker;
import io.dsblocks.loadbalancer.auth.AuthRules;
import io.dsblocks.loadbalancer.internal.proxy.Checks;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.dsblocks.ratelimit.retry.RetryBudget;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything an {@link L7Proxy} needs: where to listen, the routes and backend pools, request
 * limits, timeouts, retries, filters and observers. Build with {@link #builder()}; every value is
 * validated by {@link Builder#build()}, which names the bad item.
 *
 * <pre>{@code
 * ProxyConfig config = ProxyConfig.builder()
 *     .bind("0.0.0.0", 8080)
 *     .pool(BackendPool.of("web", loadBalancer))
 *     .route(Route.all("default", "web"))
 *     .requestTimeout(Duration.ofSeconds(10))
 *     .accessLog(record -> queue.offer(record))
 *     .build();
 * try (L7Proxy proxy = L7Proxy.start(config)) { ... }
 * }</pre>
 *
 * <p>Immutable and thread-safe (the retry budget, filters, sinks and pickers it holds are
 * thread-safe by their contracts).
 */
public final class ProxyConfig {
  /** The methods allowed by default. */
  public static final Set<String> DEFAULT_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

  private final String host;
  private final int port;
  private final Map<String, BackendPool> pools;
  private final List<Route> routes;
  private final List<HttpFilter> filters;
  private final int maxInitialLineLength;
  private final int maxHeaderSize;
  private final int maxResponseHeaderSize;
  private final long maxBodySize;
  private final Set<String> allowedMethods;
  private final int maxConnections;
  private final Duration headerReadTimeout;
  private final Duration idleTimeout;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final RetryBudget retryBudget;
  private final int ioThreads;
  private final boolean nativeTransport;
  private final AccessLogSink accessLog;
  private final ProxyListener listener;
  private final Ticker ticker;
  private final InstantSource clock;
  private final String viaName;
  private final boolean trustForwardedHeaders;
  private final Duration shutdownTimeout;
  private final ClientChannelCustomizer clientChannelCustomizer;
  private final TlsConfig tls;
  private final boolean http2;
  private final AuthRules auth;

  private ProxyConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.pools = Map.copyOf(b.pools);
    this.routes = List.copyOf(b.routes);
    this.filters = List.copyOf(b.filters);
    this.maxInitialLineLength = b.maxInitialLineLength;
    this.maxHeaderSize = b.maxHeaderSize;
    this.maxResponseHeaderSize = b.maxResponseHeaderSize;
    this.maxBodySize = b.maxBodySize;
    this.allowedMethods = Set.copyOf(b.allowedMethods);
    this.maxConnections = b.maxConnections;
    this.headerReadTimeout = b.headerReadTimeout;
    this.idleTimeout = b.idleTimeout;
    this.requestTimeout = b.requestTimeout;
    this.maxRetries = b.maxRetries;
    this.retryBudget = b.retryBudget != null ? b.retryBudget : RetryBudget.of(20, 10);
    this.ioThreads = b.ioThreads;
    this.nativeTransport = b.nativeTransport;
    this.accessLog = b.accessLog;
    this.listener = b.listener;
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.viaName = b.viaName;
    this.trustForwardedHeaders = b.trustForwardedHeaders;
    this.shutdownTimeout = b.shutdownTimeout;
    this.clientChannelCustomizer = b.clientChannelCustomizer;
    this.tls = b.tls;
    this.http2 = b.http2;
    this.auth = b.auth;
  }

  /**
   * A builder with the defaults documented on each method.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The address to listen on.
   *
   * @return host name or IP literal, {@code 127.0.0.1} by default
   */
  public String host() {
    return host;
  }

  /**
   * The port to listen on.
   *
   * @return the port; 0 means any free port (see {@link L7Proxy#port()})
   */
  public int port() {
    return port;
  }

  /**
   * The backend pools by name.
   *
   * @return an immutable map
   */
  public Map<String, BackendPool> pools() {
    return pools;
  }

  /**
   * The routes, in matching order.
   *
   * @return an immutable list
   */
  public List<Route> routes() {
    return routes;
  }

  /**
   * Filters run for every request, before the route's.
   *
   * @return an immutable list
   */
  public List<HttpFilter> filters() {
    return filters;
  }

  /**
   * Longest accepted request line; longer ones get 414.
   *
   * @return bytes, 4096 by default
   */
  public int maxInitialLineLength() {
    return maxInitialLineLength;
  }

  /**
   * Largest accepted request header block; larger ones get 431.
   *
   * @return bytes, 8192 by default
   */
  public int maxHeaderSize() {
    return maxHeaderSize;
  }

  /**
   * Largest accepted backend response header block; larger ones count as a backend failure (502).
   *
   * @return bytes, 16384 by default
   */
  public int maxResponseHeaderSize() {
    return maxResponseHeaderSize;
  }

  /**
   * Largest accepted request body; larger ones get 413 (at once from {@code Content-Length}, or
   * when a chunked body crosses the limit).
   *
   * @return bytes, 10 MiB by default
   */
  public long maxBodySize() {
    return maxBodySize;
  }

  /**
   * Methods that are forwarded; others get 405.
   *
   * @return upper-case method names
   */
  public Set<String> allowedMethods() {
    return allowedMethods;
  }

  /**
   * Most client connections open at once; further ones are closed right after accept.
   *
   * @return the limit, 10,000 by default
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * Slowloris protection: the longest a client may take from the first byte of a request to the end
   * of its header block; then it gets 408 and the connection is closed.
   *
   * @return the timeout, 10 s by default
   */
  public Duration headerReadTimeout() {
    return headerReadTimeout;
  }

  /**
   * How long a connection may stay silent: a keep-alive client connection with no request, a
   * request body that stops arriving, a response the client stops reading or the backend stops
   * sending, and an idle pooled backend connection are closed after this.
   *
   * @return the timeout, 60 s by default
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * Per attempt: how long after the request was fully sent the backend may take to start its
   * response before the attempt fails with 504 (and is retried if allowed).
   *
   * @return the timeout, 30 s by default
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * How many times a failed attempt is retried on another endpoint. A connect failure is always
   * retryable (nothing was sent); a reset or timeout only for idempotent methods (GET, HEAD, PUT,
   * DELETE, OPTIONS) whose request body is empty, and never once response bytes reached the client.
   *
   * @return the limit, 1 by default
   */
  public int maxRetries() {
    return maxRetries;
  }

  /**
   * The budget every retry must fit in (shared by all routes of this proxy).
   *
   * @return the budget, 20% of requests plus 10 per second by default
   */
  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /**
   * Number of I/O threads serving connections.
   *
   * @return the count, the number of available processors by default
   */
  public int ioThreads() {
    return ioThreads;
  }

  /**
   * Whether to use the native epoll transport when it is available.
   *
   * @return true by default
   */
  public boolean nativeTransport() {
    return nativeTransport;
  }

  /**
   * The access log sink.
   *
   * @return the sink, or empty for no access log
   */
  public Optional<AccessLogSink> accessLog() {
    return Optional.ofNullable(accessLog);
  }

  /**
   * The event listener.
   *
   * @return the listener, {@link ProxyListener#NONE} by default
   */
  public ProxyListener listener() {
    return listener;
  }

  /**
   * Measures latencies and durations.
   *
   * @return the ticker, {@link Ticker#system()} by default
   */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * Timestamps access log records.
   *
   * @return the clock, {@link InstantSource#system()} by default
   */
  public InstantSource clock() {
    return clock;
  }

  /**
   * The pseudonym this proxy adds to {@code Via} headers ({@code 1.1 <name>}).
   *
   * @return the name, {@code dsblocks} by default
   */
  public String viaName() {
    return viaName;
  }

  /**
   * Whether {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} sent by the client are kept
   * (only when this proxy sits behind another trusted proxy); by default they are overwritten.
   * {@code X-Forwarded-For} is always appended to.
   *
   * @return false by default
   */
  public boolean trustForwardedHeaders() {
    return trustForwardedHeaders;
  }

  /**
   * How long {@link L7Proxy#close()} waits for in-flight requests before cutting connections.
   *
   * @return the deadline, 30 s by default
   */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /**
   * The hook that adds handlers (TLS) to every client connection first.
   *
   * @return the customizer, or empty
   */
  public Optional<ClientChannelCustomizer> clientChannelCustomizer() {
    return Optional.ofNullable(clientChannelCustomizer);
  }

  /**
   * TLS termination settings.
   *
   * @return the settings, or empty for plain HTTP
   */
  public Optional<TlsConfig> tls() {
    return Optional.ofNullable(tls);
  }

  /**
   * Whether HTTP/2 is offered to clients (through ALPN, so only with {@link #tls()}).
   *
   * @return false by default
   */
  public boolean http2() {
    return http2;
  }

  /**
   * Proxy-wide authentication and authorization rules, applied before routing.
   *
   * @return the rules, or empty for none
   */
  public Optional<AuthRules> auth() {
    return Optional.ofNullable(auth);
  }

  /** Builds a {@link ProxyConfig}; validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private final Map<String, BackendPool> pools = new LinkedHashMap<>();
    private final List<Route> routes = new ArrayList<>();
    private final List<HttpFilter> filters = new ArrayList<>();
    private int maxInitialLineLength = 4096;
    private int maxHeaderSize = 8192;
    private int maxResponseHeaderSize = 16384;
    private long maxBodySize = 10L << 20;
    private Set<String> allowedMethods = DEFAULT_METHODS;
    private int maxConnections = 10_000;
    private Duration headerReadTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxRetries = 1;
    private RetryBudget retryBudget;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private boolean nativeTransport = true;
    private AccessLogSink accessLog;
    private ProxyListener listener = ProxyListener.NONE;
    private Ticker ticker = Ticker.system();
    private InstantSource clock = InstantSource.system();
    private String viaName = "dsblocks";
    private boolean trustForwardedHeaders;
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private ClientChannelCustomizer clientChannelCustomizer;
    private TlsConfig tls;
    private boolean http2;
    private AuthRules auth;

    private Builder() {}

    /**
     * Where to listen (default {@code 127.0.0.1}, port 0 = any free port).
     *
     * @param host host name or IP literal, e.g. {@code 0.0.0.0} for every interface
     * @param port 0 to 65535
     * @return this builder
     */
    public Builder bind(String host, int port) {
      this.host = Checks.notBlank("host", host);
      this.port = Checks.listenPort("port", port);
      return this;
    }

    /**
     * Adds a backend pool; its name must be unique.
     *
     * @param pool the pool
     * @return this builder
     */
    public Builder pool(BackendPool pool) {
      Objects.requireNonNull(pool, "pool must not be null");
      if (pools.putIfAbsent(pool.name(), pool) != null) {
        throw new IllegalArgumentException("duplicate pool name '" + pool.name() + "'");
      }
      return this;
    }

    /**
     * Adds a route; routes are matched in the order added.
     *
     * @param route the route
     * @return this builder
     */
    public Builder route(Route route) {
      routes.add(Objects.requireNonNull(route, "route must not be null"));
      return this;
    }

    /**
     * Adds a filter run for every request, before route filters.
     *
     * @param filter the filter
     * @return this builder
     */
    public Builder filter(HttpFilter filter) {
      filters.add(Objects.requireNonNull(filter, "filter must not be null"));
      return this;
    }

    /**
     * Longest accepted request line (default 4096); longer ones get 414.
     *
     * @param bytes 64 to 65,536
     * @return this builder
     */
    public Builder maxInitialLineLength(int bytes) {
      this.maxInitialLineLength = Checks.range("maxInitialLineLength", bytes, 64, 65_536);
      return this;
    }

    /**
     * Largest accepted request header block (default 8192); larger ones get 431.
     *
     * @param bytes 256 to 1 MiB
     * @return this builder
     */
    public Builder maxHeaderSize(int bytes) {
      this.maxHeaderSize = Checks.range("maxHeaderSize", bytes, 256, 1 << 20);
      return this;
    }

    /**
     * Largest accepted backend response header block (default 16384).
     *
     * @param bytes 256 to 1 MiB
     * @return this builder
     */
    public Builder maxResponseHeaderSize(int bytes) {
      this.maxResponseHeaderSize = Checks.range("maxResponseHeaderSize", bytes, 256, 1 << 20);
      return this;
    }

    /**
     * Largest accepted request body (default 10 MiB); larger ones get 413.
     *
     * @param bytes 0 to {@link Long#MAX_VALUE}
     * @return this builder
     */
    public Builder maxBodySize(long bytes) {
      this.maxBodySize = Checks.range("maxBodySize", bytes, 0L, Long.MAX_VALUE);
      return this;
    }

    /**
     * The methods that are forwarded (default {@link ProxyConfig#DEFAULT_METHODS}); others get 405.
     *
     * @param methods method names, not empty (upper-cased)
     * @return this builder
     */
    public Builder allowedMethods(Set<String> methods) {
      Objects.requireNonNull(methods, "allowedMethods must not be null");
      if (methods.isEmpty()) {
        throw new IllegalArgumentException("allowedMethods must not be empty");
      }
      Set<String> upper = new LinkedHashSet<>();
      for (String m : methods) {
        String t = Checks.notBlank("allowedMethods element", m).toUpperCase(Locale.ROOT);
        if (t.equals("CONNECT")) {
          throw new IllegalArgumentException(
              "allowedMethods must not contain CONNECT (tunnelling is not supported), was "
                  + methods);
        }
        upper.add(t);
      }
      this.allowedMethods = upper;
      return this;
    }

    /**
     * Most client connections open at once (default 10,000).
     *
     * @param max 1 to 10,000,000
     * @return this builder
     */
    public Builder maxConnections(int max) {
      this.maxConnections = Checks.range("maxConnections", max, 1, 10_000_000);
      return this;
    }

    /**
     * Time from a request's first byte to the end of its headers (default 10 s), then 408.
     *
     * @param timeout 1 ms to 1 hour
     * @return this builder
     */
    public Builder headerReadTimeout(Duration timeout) {
      this.headerReadTimeout =
          Checks.range("headerReadTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * Idle timeout for client and backend connections (default 60 s).
     *
     * @param timeout 1 ms to 1 day
     * @return this builder
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout =
          Checks.range("idleTimeout", timeout, Duration.ofMillis(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Per-attempt time from request sent to response head (default 30 s), then 504.
     *
     * @param timeout 1 ms to 1 hour
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout =
          Checks.range("requestTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * Retries of a failed attempt on another endpoint (default 1).
     *
     * @param retries 0 to 10
     * @return this builder
     */
    public Builder maxRetries(int retries) {
      this.maxRetries = Checks.range("maxRetries", retries, 0, 10);
      return this;
    }

    /**
     * The retry budget (default: 20% of requests plus 10 per second over 10 s).
     *
     * @param budget the budget
     * @return this builder
     */
    public Builder retryBudget(RetryBudget budget) {
      this.retryBudget = Objects.requireNonNull(budget, "retryBudget must not be null");
      return this;
    }

    /**
     * I/O threads (default: available processors).
     *
     * @param threads 1 to 1024
     * @return this builder
     */
    public Builder ioThreads(int threads) {
      this.ioThreads = Checks.range("ioThreads", threads, 1, 1024);
      return this;
    }

    /**
     * Whether to use native epoll when available (default true).
     *
     * @param enabled false forces NIO
     * @return this builder
     */
    public Builder nativeTransport(boolean enabled) {
      this.nativeTransport = enabled;
      return this;
    }

    /**
     * The access log sink (default none).
     *
     * @param sink receives one record per request
     * @return this builder
     */
    public Builder accessLog(AccessLogSink sink) {
      this.accessLog = Objects.requireNonNull(sink, "accessLog must not be null");
      return this;
    }

    /**
     * The event listener (default {@link ProxyListener#NONE}).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(ProxyListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    /**
     * The ticker for latencies (default {@link Ticker#system()}).
     *
     * @param ticker a monotonic nanosecond source
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
      return this;
    }

    /**
     * The clock for access log timestamps (default {@link InstantSource#system()}).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * The pseudonym added to {@code Via} (default {@code dsblocks}).
     *
     * @param name letters, digits and {@code .-_}, 1 to 64 characters
     * @return this builder
     */
    public Builder viaName(String name) {
      Checks.notBlank("viaName", name);
      if (name.length() > 64 || !name.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException(
            "viaName must be 1 to 64 of [A-Za-z0-9._-], was '" + name + "'");
      }
      this.viaName = name;
      return this;
    }

    /**
     * Keep client-sent {@code X-Forwarded-Proto}/{@code -Host} (default false: overwrite).
     *
     * @param trust true only behind another trusted proxy
     * @return this builder
     */
    public Builder trustForwardedHeaders(boolean trust) {
      this.trustForwardedHeaders = trust;
      return this;
    }

    /**
     * How long {@link L7Proxy#close()} lets in-flight requests finish (default 30 s).
     *
     * @param timeout 0 to 1 hour
     * @return this builder
     */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout =
          Checks.range("shutdownTimeout", timeout, Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /**
     * A hook run first on every client connection, e.g. to add TLS.
     *
     * @param customizer the hook
     * @return this builder
     */
    public Builder clientChannelCustomizer(ClientChannelCustomizer customizer) {
      this.clientChannelCustomizer =
          Objects.requireNonNull(customizer, "clientChannelCustomizer must not be null");
      return this;
    }

    /**
     * Terminates TLS on client connections with these settings (default: plain HTTP).
     *
     * @param tls the TLS settings
     * @return this builder
     */
    public Builder tls(TlsConfig tls) {
      this.tls = Objects.requireNonNull(tls, "tls must not be null");
      return this;
    }

    /**
     * Offers HTTP/2 to clients through ALPN (default false); needs {@link #tls(TlsConfig)}.
     *
     * @param enabled true to accept HTTP/2 clients
     * @return this builder
     */
    public Builder http2(boolean enabled) {
      this.http2 = enabled;
      return this;
    }

    /**
     * Proxy-wide authentication and authorization rules (default none), evaluated before routing.
     *
     * @param rules the rules
     * @return this builder
     */
    public Builder auth(AuthRules rules) {
      this.auth = Objects.requireNonNull(rules, "auth must not be null");
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the immutable configuration
     * @throws IllegalArgumentException if there is no pool or no route, or a route names a pool
     *     that does not exist
     */
    public ProxyConfig build() {
      if (pools.isEmpty()) {
        throw new IllegalArgumentException("pools must not be empty: add at least one BackendPool");
      }
      if (routes.isEmpty()) {
        throw new IllegalArgumentException("routes must not be empty: add at least one Route");
      }
      Set<String> routeNames = new LinkedHashSet<>();
      for (Route r : routes) {
        if (!routeNames.add(r.name())) {
          throw new IllegalArgumentException("duplicate route name '" + r.name() + "'");
        }
        if (!pools.containsKey(r.pool())) {
          throw new IllegalArgumentException(
              "route '"
                  + r.name()
                  + "' refers to unknown pool '"
                  + r.pool()
                  + "'; pools are "
                  + pools.keySet());
        }
      }
      return new ProxyConfig(this);
    }
  }
}
