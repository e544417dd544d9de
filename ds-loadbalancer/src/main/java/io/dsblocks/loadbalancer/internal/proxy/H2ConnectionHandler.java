package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an HTTP/2 client connection (after the frame codec and the stream
 * multiplexer): closes the connection when it has been idle with no open stream, drains it on
 * graceful shutdown, and closes it on errors the codec did not handle. Connection-level frames that
 * reach it (SETTINGS, PING, GOAWAY acknowledgements) are released.
 *
 * <p>Closing goes through the frame codec, which makes it graceful: a GOAWAY carrying the last
 * stream id is sent, streams already opened run to completion (bounded by the codec's graceful
 * shutdown timeout, set to the proxy's shutdown timeout), new ones are refused, then the connection
 * closes.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
public final class H2ConnectionHandler extends ChannelInboundHandlerAdapter {
  private final Http2FrameCodec codec;
  private ChannelHandlerContext ctx;

  H2ConnectionHandler(Http2FrameCodec codec) {
    this.codec = codec;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Graceful shutdown: GOAWAY now; the connection closes once its open streams are done. */
  public void drain() {
    ctx.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // Streams bound their own silence (each has an idle timer and the request timeout); the
      // connection only goes when nothing is open on it.
      if (codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
      return;
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and I/O errors; protocol errors were answered with GOAWAY by the codec already.
    ctx.close();
  }
}
