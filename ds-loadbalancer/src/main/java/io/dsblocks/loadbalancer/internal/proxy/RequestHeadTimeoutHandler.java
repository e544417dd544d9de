package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Slowloris protection, placed next to the socket (before the HTTP decoder, so it sees raw bytes):
 * while the connection waits for a request, the first byte starts a deadline for the whole header
 * block; if the decoder has not produced the request head by then, a {@link #HEAD_TIMEOUT} event
 * goes up the pipeline (the proxy answers 408 and closes). A keep-alive connection on which no
 * request starts at all within the idle timeout is closed silently, as every server does.
 *
 * <p>Why a deadline rather than an idle timer: a slowloris client sends one header byte every few
 * seconds, so the connection is never idle; only a bound on the total time catches it.
 *
 * <p>Not thread-safe: one instance per client channel, used on its event loop.
 */
final class RequestHeadTimeoutHandler extends ChannelInboundHandlerAdapter {
  /** Fired when a started request head did not complete in time. */
  static final Object HEAD_TIMEOUT = new Object();

  private final long headTimeoutNanos;
  private final long idleNanos;
  private ChannelHandlerContext ctx;
  private LazyTimer timer;
  private boolean awaiting;
  private boolean sawBytes;

  RequestHeadTimeoutHandler(long headTimeoutNanos, long idleNanos) {
    this.headTimeoutNanos = headTimeoutNanos;
    this.idleNanos = idleNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.timer = new LazyTimer(ctx.executor(), this::expired);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    awaitHead();
    ctx.fireChannelActive();
  }

  /** The connection now waits for a (next) request. */
  void awaitHead() {
    awaiting = true;
    sawBytes = false;
    timer.arm(idleNanos);
  }

  /** The decoder produced a request head: no deadline until the next {@link #awaitHead()}. */
  void headReceived() {
    awaiting = false;
    timer.disarm();
  }

  /** Whether part of a request has arrived while waiting (a drain must not cut it). */
  boolean requestStarted() {
    return awaiting && sawBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (awaiting && !sawBytes && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
      sawBytes = true;
      timer.arm(headTimeoutNanos);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.stop();
    ctx.fireChannelInactive();
  }

  private void expired() {
    if (!awaiting || !ctx.channel().isActive()) {
      return;
    }
    if (sawBytes) {
      awaiting = false;
      ctx.fireUserEventTriggered(HEAD_TIMEOUT);
    } else {
      ctx.close(); // an idle keep-alive connection
    }
  }
}
