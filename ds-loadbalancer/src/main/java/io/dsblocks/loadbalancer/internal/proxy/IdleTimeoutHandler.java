package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a connection has neither read nor written
 * for the idle time; the proxy handlers decide what silence means in their current state.
 *
 * <p>Why not Netty's {@code IdleStateHandler}: to notice write activity it turns every write's
 * promise into a real one and adds a listener to it, an allocation and a notification on each of
 * the several writes a proxied request makes (and it defeats {@code voidPromise()} in the TCP
 * relay). Here a write counts as activity when it is issued; a peer that stops reading is still
 * caught, because the proxy stops issuing writes once the channel is no longer writable. The timer
 * is scheduled once per idle period, not per event.
 *
 * <p>Uses {@link System#nanoTime()}: event-loop timers run on real time anyway.
 *
 * <p>Not thread-safe: one instance per channel, used on its event loop.
 */
public final class IdleTimeoutHandler extends ChannelDuplexHandler implements Runnable {
  private final long idleNanos;
  private ChannelHandlerContext ctx;
  private long lastActivity;
  private ScheduledFuture<?> task;
  private boolean stopped;

  /**
   * Creates the handler.
   *
   * @param idleNanos silence after which the event fires, in nanoseconds
   */
  public IdleTimeoutHandler(long idleNanos) {
    this.idleNanos = idleNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start();
    ctx.fireChannelActive();
  }

  private void start() {
    if (task == null && !stopped) {
      lastActivity = System.nanoTime();
      task = ctx.executor().schedule(this, idleNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    lastActivity = System.nanoTime(); // once per read batch, not per message
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    lastActivity = System.nanoTime();
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    stopped = true;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  @Override
  public void run() {
    task = null;
    if (stopped || !ctx.channel().isOpen()) {
      return;
    }
    long now = System.nanoTime();
    long silentFor = now - lastActivity;
    if (silentFor >= idleNanos) {
      lastActivity = now; // next event only after another full idle period
      task = ctx.executor().schedule(this, idleNanos, TimeUnit.NANOSECONDS);
      ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    } else {
      task = ctx.executor().schedule(this, idleNanos - silentFor, TimeUnit.NANOSECONDS);
    }
  }
}
