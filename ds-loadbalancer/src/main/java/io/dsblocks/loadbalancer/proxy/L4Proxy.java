package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.internal.proxy.ConnectionTracker;
import io.dsblocks.loadbalancer.internal.proxy.IdleTimeoutHandler;
import io.dsblocks.loadbalancer.internal.proxy.ProxyCounters;
import io.dsblocks.loadbalancer.internal.proxy.ProxyServer;
import io.dsblocks.loadbalancer.internal.proxy.TcpFrontendHandler;
import io.dsblocks.loadbalancer.internal.proxy.TcpProxyRuntime;
import io.dsblocks.loadbalancer.internal.proxy.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A TCP (layer 4) reverse proxy on Netty: each accepted connection is relayed to one backend chosen
 * by the configured {@link io.dsblocks.loadbalancer.Picker}.
 *
 * <pre>{@code
 * try (L4Proxy proxy = L4Proxy.start(L4ProxyConfig.builder(lb).bind("0.0.0.0", 6379).build())) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Per connection: the backend is picked with the client's address in the request context (so IP
 * hashing works) and connected on the client's event loop; a failed connect (refused, unreachable,
 * timed out) is reported to the selection and retried on another backend, up to {@link
 * L4ProxyConfig#maxConnectAttempts()}. Bytes are then relayed both ways with back-pressure (a side
 * stops reading while the other cannot take more), half-close is passed through (a client that
 * shuts down its output still receives the backend's answer), and the connection is closed after
 * {@link L4ProxyConfig#idleTimeout()} without traffic. The selection hears {@code onSuccess} with
 * the connection's duration when it ends, or {@code onFailure} if the backend reset it. It runs on
 * NIO unless {@link L4ProxyConfig#nativeTransport()} is turned on (see there for the epoll
 * half-close caveat).
 *
 * <p>Thread-safe. {@link #close()} stops accepting, waits up to the shutdown timeout for open
 * connections to end, closes the rest and releases the threads; it is idempotent.
 */
public final class L4Proxy implements AutoCloseable {
  private final L4ProxyConfig config;
  private final ProxyServer server;

  private L4Proxy(L4ProxyConfig config, ProxyServer server) {
    this.config = config;
    this.server = server;
  }

  /**
   * Binds the listening socket and starts relaying.
   *
   * @param config the configuration
   * @return the running proxy
   * @throws ProxyException if the address cannot be bound
   * @throws NullPointerException if {@code config} is null
   */
  public static L4Proxy start(L4ProxyConfig config) {
    Objects.requireNonNull(config, "config must not be null");
    Transport transport = Transport.select(config.nativeTransport());
    ProxyCounters counters = new ProxyCounters();
    ConnectionTracker tracker = new ConnectionTracker(config.maxConnections());
    TcpProxyRuntime runtime = new TcpProxyRuntime(config, transport, counters);
    long idleNanos = config.idleTimeout().toNanos();
    ProxyServer server =
        ProxyServer.bind(
            "L4",
            transport,
            config.ioThreads(),
            tracker,
            counters,
            config.host(),
            config.port(),
            sb ->
                sb.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(
                        new ChannelInitializer<Channel>() {
                          @Override
                          protected void initChannel(Channel ch) {
                            counters.connectionsAccepted.increment();
                            if (!tracker.tryAdmit(ch)) {
                              counters.connectionsRejected.increment();
                              config.listener().onConnectionRejected(ch.remoteAddress());
                              ch.close();
                              return;
                            }
                            config.listener().onConnectionAccepted(ch.remoteAddress());
                            ch.pipeline()
                                .addLast("idle", new IdleTimeoutHandler(idleNanos))
                                .addLast("frontend", new TcpFrontendHandler(runtime));
                          }
                        }));
    return new L4Proxy(config, server);
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
  public L4ProxyConfig config() {
    return config;
  }

  /**
   * Stops accepting, waits up to {@code timeout} for open connections to end, then closes the rest
   * and releases the threads. Idempotent.
   *
   * @param timeout how long to let connections finish
   * @return true if every connection ended by itself within the timeout
   */
  public boolean shutdownGracefully(Duration timeout) {
    if (!server.markClosed()) {
      return true;
    }
    server.stopAccepting();
    return server.awaitConnectionsAndRelease(timeout);
  }

  /** {@link #shutdownGracefully} with the configured shutdown timeout. */
  @Override
  public void close() {
    shutdownGracefully(config.shutdownTimeout());
  }

  @Override
  public String toString() {
    return "L4Proxy{" + localAddress() + ", " + server.transport() + '}';
  }
}
