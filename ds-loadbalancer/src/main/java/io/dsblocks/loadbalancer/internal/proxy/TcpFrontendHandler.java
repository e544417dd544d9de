package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.Selection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * Accepts one client connection of the L4 proxy: picks a backend, connects with the pool's timeout,
 * retries on another backend (excluding those already tried) when a connect fails, and once
 * connected wires both channels into a {@link TcpTunnel} and replaces itself with a {@link
 * TcpRelayHandler}. Until then the client channel does not read (auto-read is off), so the kernel
 * buffers what the client sends meanwhile. One exception: the epoll transport reads once anyway
 * when the client half-closes early (EPOLLRDHUP), so what arrives before the backend is connected
 * is held here and written first.
 *
 * <p>Not thread-safe: one instance per client channel, used on its event loop.
 */
public final class TcpFrontendHandler extends ChannelInboundHandlerAdapter {
  private final TcpProxyRuntime runtime;
  private RequestContext context;
  private int attempts;
  private final ArrayDeque<Object> early = new ArrayDeque<>(2);
  private boolean earlyInputShutdown;

  /**
   * Creates the handler of one connection.
   *
   * @param runtime the proxy's shared state
   */
  public TcpFrontendHandler(TcpProxyRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel client = ctx.channel();
    if (client.remoteAddress() instanceof InetSocketAddress
        && ((InetSocketAddress) client.remoteAddress()).getAddress() != null) {
      context = RequestContext.ofClient(((InetSocketAddress) client.remoteAddress()).getAddress());
    } else {
      context = RequestContext.empty();
    }
    connect(ctx);
    ctx.fireChannelActive();
  }

  private void connect(ChannelHandlerContext ctx) {
    Channel client = ctx.channel();
    Selection<?> selection = runtime.config.picker().tryPick(context);
    if (selection == null) {
      client.close(); // nothing to connect to: refuse the way a dead server would
      return;
    }
    attempts++;
    Endpoint endpoint = selection.endpoint();
    long start = runtime.config.ticker().read();
    TcpTunnel tunnel = new TcpTunnel(runtime, client, selection, start);
    // The backend's relay is in place before it connects; it sees no data until auto-read is on.
    ChannelFuture connect =
        runtime
            .bootstrap(client.eventLoop())
            .handler(new TcpRelayHandler(tunnel))
            .connect(endpoint.host(), endpoint.port());
    connect.addListener(
        (ChannelFutureListener)
            f -> {
              long elapsed = Math.max(0, runtime.config.ticker().read() - start);
              if (!f.isSuccess()) {
                runtime.counters.backendConnectFailures.increment();
                selection.onFailure(elapsed);
                runtime.config.listener().onBackendConnectFailed("l4", endpoint, f.cause());
                if (client.isActive() && attempts < runtime.config.maxConnectAttempts()) {
                  context = context.excluding(endpoint.id());
                  connect(ctx);
                } else {
                  client.close();
                }
                return;
              }
              Channel backend = f.channel();
              if (!client.isActive()) {
                selection.release(); // the client left while we connected: nothing was relayed
                backend.close();
                return;
              }
              runtime.counters.backendConnectionsOpened.increment();
              tunnel.established(backend);
              Object m;
              while ((m = early.poll()) != null) {
                if (m instanceof ByteBuf) {
                  tunnel.countRead(client, ((ByteBuf) m).readableBytes());
                }
                backend.write(m, backend.voidPromise());
              }
              backend.flush();
              ctx.pipeline().replace(this, "relay", new TcpRelayHandler(tunnel));
              if (earlyInputShutdown) {
                tunnel.inputShutdown(client);
              } else {
                client.config().setAutoRead(true);
              }
              backend.config().setAutoRead(true);
            });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    early.add(msg); // only before the tunnel exists; see the class comment
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      earlyInputShutdown = true;
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseEarly();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseEarly();
  }

  private void releaseEarly() {
    Object m;
    while ((m = early.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
