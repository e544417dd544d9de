package io.dsblocks.loadbalancer.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Netty server on 127.0.0.1 that terminates TLS with a {@link TlsContextProvider}, records each
 * handshake's outcome as the server saw it, and answers a successful one with "OK\n".
 */
final class TlsTestServer implements AutoCloseable {
  /** The server's view of one handshake. */
  record Handshake(
      boolean success, Throwable cause, String protocol, String alpn, X509Certificate[] peer) {}

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();

  TlsTestServer(TlsContextProvider tls) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(tls.newHandler()).addLast(new Recorder());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  /** The next recorded handshake; fails the test if none arrives within 10 s. */
  Handshake next() throws InterruptedException {
    Handshake h = handshakes.poll(10, TimeUnit.SECONDS);
    if (h == null) {
      throw new AssertionError("server recorded no handshake within 10 s");
    }
    return h;
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Recorder extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent) {
        SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
        if (e.isSuccess()) {
          SslHandler ssl = TlsSessions.sslHandler(ctx.channel());
          handshakes.add(
              new Handshake(
                  true,
                  null,
                  ssl.engine().getSession().getProtocol(),
                  TlsSessions.applicationProtocol(ctx.channel()),
                  TlsSessions.peerCertificates(ctx.channel())));
          ctx.writeAndFlush(Unpooled.copiedBuffer("OK\n", StandardCharsets.US_ASCII));
        } else {
          handshakes.add(new Handshake(false, e.cause(), null, null, null));
          ctx.close();
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Handshake failures also arrive here; they are recorded from the completion event.
      ctx.close();
    }
  }
}
