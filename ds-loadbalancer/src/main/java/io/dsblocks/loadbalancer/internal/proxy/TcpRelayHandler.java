package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;

/**
 * Relays bytes from its channel to the peer channel of the same {@link TcpTunnel}, with
 * back-pressure: when a write leaves the peer unwritable (its outbound buffer passed the high water
 * mark), this side stops reading; when the peer drains below the low water mark, its writability
 * event turns reading on again here. Memory per tunnel is thus bounded by the water marks plus one
 * read, however fast one side sends and however slowly the other reads.
 *
 * <p>Not thread-safe: one instance per channel, used on its event loop.
 */
final class TcpRelayHandler extends ChannelInboundHandlerAdapter {
  private final TcpTunnel tunnel;

  TcpRelayHandler(TcpTunnel tunnel) {
    this.tunnel = tunnel;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel peer = tunnel.peer(ctx.channel());
    if (msg instanceof ByteBuf) {
      tunnel.countRead(ctx.channel(), ((ByteBuf) msg).readableBytes());
    }
    // Ownership passes to the peer's outbound buffer; a failed write releases it.
    peer.write(msg, peer.voidPromise());
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    tunnel.peer(ctx.channel()).flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // This channel drained: the peer, which feeds it, may read again - unless it already sent
    // FIN: re-arming reads on a half-closed epoll socket fails (its fd left the interest set).
    Channel peer = tunnel.peer(ctx.channel());
    if (ctx.channel().isWritable()
        && !(peer instanceof DuplexChannel && ((DuplexChannel) peer).isInputShutdown())) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      tunnel.inputShutdown(ctx.channel());
    } else if (evt instanceof IdleStateEvent) {
      tunnel.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    tunnel.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ctx.channel() == tunnel.backend && cause instanceof IOException) {
      tunnel.markFailed(); // reset by the backend: tell outlier detection
    }
    tunnel.close();
  }
}
