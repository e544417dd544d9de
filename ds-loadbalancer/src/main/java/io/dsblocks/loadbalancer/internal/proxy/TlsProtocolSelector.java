package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.dsblocks.loadbalancer.tls.TlsSessions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows the TLS handler of a client connection until the handshake is over, then builds the rest
 * of the pipeline for the protocol ALPN agreed on and removes itself:
 *
 * <ul>
 *   <li>{@code h2} (when HTTP/2 is enabled): an {@link IdleTimeoutHandler}, Netty's {@code
 *       Http2FrameCodec} (limits from the proxy config: concurrent streams, header list size) and
 *       {@code Http2MultiplexHandler}, whose per-stream child channels get {@link
 *       H2StreamInitializer}'s pipeline, and {@link H2ConnectionHandler}; the connection then reads
 *       continuously, since HTTP/2 flow control gives each stream its back-pressure;
 *   <li>anything else ({@code http/1.1} or no ALPN): exactly the HTTP/1.1 pipeline of a plain-text
 *       connection ({@link HttpChannelInitializer#addHttp1Handlers}), then a {@code channelActive}
 *       for those handlers, which were not there when the connection became active.
 * </ul>
 *
 * <p>A failed or timed-out handshake (counted in the stats) closes the connection silently: a
 * scanner or a client that does not trust the certificate is not worth a log line per connection.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class TlsProtocolSelector extends ChannelInboundHandlerAdapter {
  private final HttpProxyRuntime rt;
  private final H2StreamInitializer streams;
  private final boolean http2;
  private List<Object> early;
  private boolean done;

  TlsProtocolSelector(HttpProxyRuntime rt, H2StreamInitializer streams) {
    this.rt = rt;
    this.streams = streams;
    this.http2 = rt.config.http2();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
    // Client connections start with auto-read off: pull the ClientHello.
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // The TLS handler passes application data only after the handshake event, which replaces this
    // handler; keep anything that arrives earlier anyway and replay it after the switch.
    if (early == null) {
      early = new ArrayList<>(2);
    }
    early.add(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!done) {
      ctx.read(); // the handshake needs more bytes
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof SslHandshakeCompletionEvent)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
    if (!e.isSuccess()) {
      failed(ctx);
      return;
    }
    done = true;
    if (rt.draining()) {
      ctx.close();
      return;
    }
    ChannelPipeline p = ctx.pipeline();
    if (http2 && TlsConfig.ALPN_H2.equals(TlsSessions.applicationProtocol(ctx.channel()))) {
      rt.counters.http2Connections.increment();
      ProxyConfig c = rt.config;
      Http2FrameCodec codec =
          Http2FrameCodecBuilder.forServer()
              .initialSettings(
                  Http2Settings.defaultSettings()
                      .maxConcurrentStreams(c.http2MaxConcurrentStreams())
                      .maxHeaderListSize(c.maxHeaderSize()))
              .gracefulShutdownTimeoutMillis(c.shutdownTimeout().toMillis())
              .validateHeaders(true)
              .build();
      p.addLast("idle", new IdleTimeoutHandler(rt.idleNanos))
          .addLast("h2", codec)
          .addLast("h2-mux", new Http2MultiplexHandler(streams))
          .addLast("h2-conn", new H2ConnectionHandler(codec));
      replayAndRemove(ctx);
      ctx.channel().config().setAutoRead(true);
      ctx.channel().flush(); // the server's SETTINGS
    } else {
      HttpChannelInitializer.addHttp1Handlers(p, rt);
      ctx.fireChannelActive(); // arms the header timeout and issues the first read
      replayAndRemove(ctx);
    }
  }

  private void replayAndRemove(ChannelHandlerContext ctx) {
    List<Object> pending = early;
    early = null;
    if (pending != null) {
      for (Object m : pending) {
        ctx.fireChannelRead(m);
      }
      ctx.fireChannelReadComplete();
    }
    ctx.pipeline().remove(this);
  }

  private void failed(ChannelHandlerContext ctx) {
    if (!done) {
      done = true;
      rt.counters.tlsHandshakeFailures.increment();
    }
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Not TLS at all, a bad certificate, an alert from the client: the handshake failed.
    failed(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (early != null) {
      for (Object m : early) {
        io.netty.util.ReferenceCountUtil.release(m);
      }
      early = null;
    }
  }
}
