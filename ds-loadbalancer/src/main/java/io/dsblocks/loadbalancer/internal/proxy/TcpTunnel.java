package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.Selection;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

/**
 * One proxied TCP connection: the client channel, the backend channel and the state both directions
 * share (which side has half-closed, whether the tunnel is closed). Reports the connection's
 * outcome to the balancer's {@link Selection} exactly once.
 *
 * <p>Not thread-safe: both channels live on the same event loop and only it touches the tunnel.
 */
final class TcpTunnel {
  private final TcpProxyRuntime runtime;
  final Channel client;
  Channel backend;
  private final Selection<?> selection;
  private final long startNanos;
  private boolean established;
  private boolean clientInputShut;
  private boolean backendInputShut;
  private boolean failed;
  private boolean closed;

  TcpTunnel(TcpProxyRuntime runtime, Channel client, Selection<?> selection, long startNanos) {
    this.runtime = runtime;
    this.client = client;
    this.selection = selection;
    this.startNanos = startNanos;
  }

  /** The backend connected and both relays are in place: from now on close() reports. */
  void established(Channel backendChannel) {
    this.backend = backendChannel;
    this.established = true;
  }

  Channel peer(Channel ch) {
    return ch == client ? backend : client;
  }

  void countRead(Channel from, int bytes) {
    if (from == client) {
      runtime.counters.bytesFromClients.add(bytes);
    } else {
      runtime.counters.bytesToClients.add(bytes);
    }
  }

  /**
   * One side sent FIN: once what it sent before has been written to the other side, half-close the
   * other side's output too, so the far end sees the same end-of-stream. When both sides have
   * finished sending, the tunnel is done.
   */
  void inputShutdown(Channel from) {
    if (from == client) {
      clientInputShut = true;
    } else {
      backendInputShut = true;
    }
    Channel to = peer(from);
    boolean both = clientInputShut && backendInputShut;
    to.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() || !(to instanceof DuplexChannel)) {
                    close();
                    return;
                  }
                  ((DuplexChannel) to)
                      .shutdownOutput()
                      .addListener(
                          (ChannelFutureListener)
                              g -> {
                                if (!g.isSuccess() || both) {
                                  close();
                                }
                              });
                });
  }

  void markFailed() {
    failed = true;
  }

  /** Closes both channels (idempotent) and reports the outcome once established. */
  void close() {
    if (closed || !established) {
      return;
    }
    closed = true;
    long elapsed = Math.max(0, runtime.config.ticker().read() - startNanos);
    if (failed) {
      selection.onFailure(elapsed);
    } else {
      selection.onSuccess(elapsed);
    }
    // Flush what is already queued first: a peer that closed after sending its last bytes must
    // not lose them.
    client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }
}
