package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a backend connection. While a {@link BackendUser} (an {@link Exchange}, or a
 * response cache fill's {@link BackendFetch}) owns the connection it hands every response part
 * (decoded, or raw from the {@link ResponseFramer}), writability change and failure to it; while
 * the connection idles in its {@link LoopConnectionPool} it watches for the backend closing it (and
 * drops it from the pool), for unsolicited bytes (a protocol error: close), and for the idle
 * timeout (close).
 *
 * <p>Not thread-safe: one instance per backend channel, used on its event loop.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  private final LoopConnectionPool loopPool;
  final PoolRuntime pool;
  final String endpointId;
  private final ResponseFramer framer;
  private BackendUser owner;

  BackendHandler(
      LoopConnectionPool loopPool, PoolRuntime pool, String endpointId, ResponseFramer framer) {
    this.loopPool = loopPool;
    this.pool = pool;
    this.endpointId = endpointId;
    this.framer = framer;
  }

  /**
   * Hands the connection to a user for one request.
   *
   * @param raw whether the user takes the response on the raw path ({@link ResponseFramer})
   * @param headRequest whether the request is a HEAD
   */
  void attach(BackendUser user, boolean raw, boolean headRequest) {
    this.owner = user;
    framer.configure(raw, headRequest);
  }

  void detach() {
    this.owner = null;
  }

  /** Returns the idle connection to its loop's pool. */
  void returnToPool(ChannelHandlerContext ctx) {
    owner = null;
    ctx.channel().config().setAutoRead(true); // keep reading so a close by the backend is seen
    loopPool.offer(
        pool.index, endpointId, ctx.channel(), pool.pool.maxIdleConnectionsPerEndpoint());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    BackendUser e = owner;
    if (e != null) {
      e.onBackendMessage(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close(); // nothing was asked: the connection's framing cannot be trusted any more
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    BackendUser e = owner;
    if (e != null) {
      e.onBackendReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    BackendUser e = owner;
    if (e != null) {
      e.onBackendWritabilityChanged();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      BackendUser e = owner;
      if (e == null) {
        ctx.close(); // idle in the pool for the idle timeout
      } else {
        e.onBackendIdle();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    BackendUser e = owner;
    if (e != null) {
      owner = null;
      e.onBackendClosed(null);
    } else {
      loopPool.remove(pool.index, endpointId, ctx.channel());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    BackendUser e = owner;
    owner = null;
    ctx.close();
    if (e != null) {
      e.onBackendClosed(cause);
    }
  }
}
