package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.L4ProxyConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;

/**
 * What every L4 connection of one proxy shares: configuration, transport, counters and the backend
 * bootstrap template.
 *
 * <p>Thread-safe: immutable apart from the counters, which are.
 */
public final class TcpProxyRuntime {
  final L4ProxyConfig config;
  final ProxyCounters counters;
  private final Bootstrap template;

  /**
   * Creates the runtime.
   *
   * @param config the configuration
   * @param transport the transport
   * @param counters the counters
   */
  public TcpProxyRuntime(L4ProxyConfig config, Transport transport, ProxyCounters counters) {
    this.config = config;
    this.counters = counters;
    this.template =
        new Bootstrap()
            .channel(transport.socketChannelClass())
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            // Half-close must reach the relay as an event instead of closing the channel.
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            // Nothing is read from the backend until both ends are wired up.
            .option(ChannelOption.AUTO_READ, false);
  }

  /**
   * A bootstrap for a backend connection on the client's event loop (so both channels of a tunnel
   * share one thread and need no synchronisation).
   *
   * @param loop the client channel's event loop
   * @return a bootstrap without handler
   */
  Bootstrap bootstrap(io.netty.channel.EventLoop loop) {
    return template.clone(loop);
  }
}
