package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.ProxyException;
import io.dsblocks.loadbalancer.proxy.ProxyStats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The listening half that the L4 and L7 proxies share: event loops, the bound server channel, the
 * connection tracker and counters, and the stop sequence (stop accepting, wait for connections to
 * end, close the rest, release the threads). Each proxy adds only its child pipeline and, for L7,
 * the draining of keep-alive connections between the two halves of the stop. Thread-safe.
 */
public final class ProxyServer {
  private final Transport transport;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final Channel serverChannel;
  private final ConnectionTracker tracker;
  private final ProxyCounters counters;
  private final Object closeLock = new Object();
  private boolean closed;

  private ProxyServer(
      Transport transport,
      EventLoopGroup bossGroup,
      EventLoopGroup workerGroup,
      Channel serverChannel,
      ConnectionTracker tracker,
      ProxyCounters counters) {
    this.transport = transport;
    this.bossGroup = bossGroup;
    this.workerGroup = workerGroup;
    this.serverChannel = serverChannel;
    this.tracker = tracker;
    this.counters = counters;
  }

  /**
   * Creates the event loops and binds. Accepted connections start with auto-read off (reads are
   * pulled for back-pressure) and {@code TCP_NODELAY}; {@code childSetup} adds the rest.
   *
   * @param kind {@code "L4"} or {@code "L7"}, for thread names and errors
   * @param transport epoll or NIO
   * @param ioThreads worker threads
   * @param tracker the connection tracker
   * @param counters the counters
   * @param host bind address
   * @param port bind port, 0 for ephemeral
   * @param childSetup adds child options and the child handler
   * @return the bound server
   * @throws ProxyException if the address cannot be bound
   */
  public static ProxyServer bind(
      String kind,
      Transport transport,
      int ioThreads,
      ConnectionTracker tracker,
      ProxyCounters counters,
      String host,
      int port,
      Consumer<ServerBootstrap> childSetup) {
    String prefix = "dsblocks-" + kind.toLowerCase(java.util.Locale.ROOT);
    EventLoopGroup boss = transport.newGroup(1, prefix + "-accept");
    EventLoopGroup workers = transport.newGroup(ioThreads, prefix + "-io");
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.AUTO_READ, false);
    childSetup.accept(sb);
    // Netty rethrows a bind failure's checked IOException undeclared, so test the future instead.
    ChannelFuture bound = sb.bind(host, port).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new ProxyException(
          "cannot bind " + kind + " proxy to " + host + ":" + port + ": " + bound.cause(),
          bound.cause());
    }
    return new ProxyServer(transport, boss, workers, bound.channel(), tracker, counters);
  }

  /**
   * The bound address.
   *
   * @return the listening socket's address
   */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /**
   * The transport in use.
   *
   * @return the transport
   */
  public Transport transport() {
    return transport;
  }

  /**
   * A snapshot of the counters.
   *
   * @return the stats
   */
  public ProxyStats stats() {
    return counters.snapshot(tracker.active());
  }

  /**
   * The connections open now.
   *
   * @return the channels
   */
  public Collection<Channel> channels() {
    return tracker.channels();
  }

  /**
   * Marks the server closed, once.
   *
   * @return false if it was already closed (the caller then has nothing to do)
   */
  public boolean markClosed() {
    synchronized (closeLock) {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    }
  }

  /** Closes the listening socket: no new connections. */
  public void stopAccepting() {
    serverChannel.close().syncUninterruptibly();
  }

  /**
   * Waits up to {@code timeout} for every connection to end, closes what is left, and releases the
   * threads.
   *
   * @param timeout how long connections may take to end by themselves
   * @return true if every connection ended by itself in time
   */
  public boolean awaitConnectionsAndRelease(Duration timeout) {
    boolean drained = true;
    try {
      tracker.allClosed().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      drained = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    tracker.closeAll();
    workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    return drained;
  }
}
