package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.Picker;
import io.dsblocks.loadbalancer.Ticker;
import io.dsblocks.loadbalancer.internal.proxy.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of an {@link L4Proxy}: where to listen, which backends (a {@link Picker}), connect
 * timeout and attempts, idle timeout and connection limit. Validated by {@link Builder#build()}.
 *
 * <pre>{@code
 * L4ProxyConfig config = L4ProxyConfig.builder(loadBalancer)
 *     .bind("0.0.0.0", 5432)
 *     .connectTimeout(Duration.ofMillis(500))
 *     .idleTimeout(Duration.ofMinutes(30))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class L4ProxyConfig {
  private final String host;
  private final int port;
  private final Picker<? extends Endpoint> picker;
  private final Duration connectTimeout;
  private final int maxConnectAttempts;
  private final Duration idleTimeout;
  private final int maxConnections;
  private final int ioThreads;
  private final boolean nativeTransport;
  private final ProxyListener listener;
  private final Ticker ticker;
  private final Duration shutdownTimeout;

  private L4ProxyConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.picker = b.picker;
    this.connectTimeout = b.connectTimeout;
    this.maxConnectAttempts = b.maxConnectAttempts;
    this.idleTimeout = b.idleTimeout;
    this.maxConnections = b.maxConnections;
    this.ioThreads = b.ioThreads;
    this.nativeTransport = b.nativeTransport;
    this.listener = b.listener;
    this.ticker = b.ticker;
    this.shutdownTimeout = b.shutdownTimeout;
  }

  /**
   * A builder.
   *
   * @param backends chooses the backend for each connection
   * @return a new builder
   * @throws NullPointerException if {@code backends} is null
   */
  public static Builder builder(Picker<? extends Endpoint> backends) {
    return new Builder(backends);
  }

  /**
   * The listening host.
   *
   * @return host name or IP literal, {@code 127.0.0.1} by default
   */
  public String host() {
    return host;
  }

  /**
   * The listening port.
   *
   * @return the port; 0 means any free port
   */
  public int port() {
    return port;
  }

  /**
   * Chooses the backend for each connection.
   *
   * @return the picker
   */
  public Picker<? extends Endpoint> picker() {
    return picker;
  }

  /**
   * Timeout of one backend connect.
   *
   * @return 2 s by default
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * How many backends are tried (each excluding those already tried) before the client connection
   * is closed.
   *
   * @return 3 by default
   */
  public int maxConnectAttempts() {
    return maxConnectAttempts;
  }

  /**
   * A connection with no traffic in either direction for this long is closed.
   *
   * @return 5 minutes by default
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * Most client connections open at once.
   *
   * @return 10,000 by default
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * I/O threads.
   *
   * @return available processors by default
   */
  public int ioThreads() {
    return ioThreads;
  }

  /**
   * Whether native epoll is used when available.
   *
   * <p>Off by default for the TCP proxy: with Netty 4.2.18's epoll transport, a half-closed
   * connection whose read and read-hang-up interest are both gone is removed from the epoll set
   * while Netty still believes it is registered; the next write that has to wait for the socket (a
   * large answer still flowing to a client that already sent its FIN) fails with {@code epoll_ctl
   * ... ENOENT} and Netty shuts the output down, truncating the stream. The tests reproduce it in
   * about one of twenty 32 MiB half-close transfers; NIO never does. Turn it on only for protocols
   * that do not half-close.
   *
   * @return false by default
   */
  public boolean nativeTransport() {
    return nativeTransport;
  }

  /**
   * The event listener.
   *
   * @return {@link ProxyListener#NONE} by default
   */
  public ProxyListener listener() {
    return listener;
  }

  /**
   * Measures connection durations reported to the picker's selections.
   *
   * @return {@link Ticker#system()} by default
   */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * How long {@link L4Proxy#close()} waits for open connections to end before cutting them.
   *
   * @return 30 s by default
   */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** Builds an {@link L4ProxyConfig}. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private final Picker<? extends Endpoint> picker;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int maxConnectAttempts = 3;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private int maxConnections = 10_000;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private boolean nativeTransport;
    private ProxyListener listener = ProxyListener.NONE;
    private Ticker ticker = Ticker.system();
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    private Builder(Picker<? extends Endpoint> picker) {
      this.picker = Objects.requireNonNull(picker, "backends must not be null");
    }

    /**
     * Where to listen (default {@code 127.0.0.1}, any free port).
     *
     * @param host host name or IP literal
     * @param port 0 to 65535
     * @return this builder
     */
    public Builder bind(String host, int port) {
      this.host = Checks.notBlank("host", host);
      this.port = Checks.listenPort("port", port);
      return this;
    }

    /**
     * Backend connect timeout (default 2 s).
     *
     * @param timeout 1 ms to 5 minutes
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout =
          Checks.range("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(5));
      return this;
    }

    /**
     * Backends tried per connection (default 3).
     *
     * @param attempts 1 to 10
     * @return this builder
     */
    public Builder maxConnectAttempts(int attempts) {
      this.maxConnectAttempts = Checks.range("maxConnectAttempts", attempts, 1, 10);
      return this;
    }

    /**
     * Idle timeout (default 5 minutes).
     *
     * @param timeout 1 ms to 7 days
     * @return this builder
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout =
          Checks.range("idleTimeout", timeout, Duration.ofMillis(1), Duration.ofDays(7));
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
     * Whether to use native epoll when available (default false; see {@link
     * L4ProxyConfig#nativeTransport()} for why).
     *
     * @param enabled true to use epoll when available
     * @return this builder
     */
    public Builder nativeTransport(boolean enabled) {
      this.nativeTransport = enabled;
      return this;
    }

    /**
     * The event listener.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(ProxyListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    /**
     * The ticker (default {@link Ticker#system()}).
     *
     * @param ticker a monotonic nanosecond source
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
      return this;
    }

    /**
     * Graceful shutdown deadline (default 30 s).
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
     * Builds the configuration.
     *
     * @return the immutable configuration
     */
    public L4ProxyConfig build() {
      return new L4ProxyConfig(this);
    }
  }
}
