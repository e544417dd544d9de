package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 backend on Netty for the proxy tests, started on 127.0.0.1 with behaviour chosen
 * by the request path. It never aggregates: bodies are counted as they stream in, big responses are
 * streamed out with back-pressure.
 *
 * <ul>
 *   <li>{@code /echo...} (default): 200 with {@code x-backend}, body lists method, uri, body byte
 *       count and every request header as {@code h:name=value} lines
 *   <li>{@code /status/N}: status N
 *   <li>{@code /slow/MS}: answers after MS milliseconds
 *   <li>{@code /never}: accepts and never answers; {@code /hang} the same and completes {@link
 *       #hangArrived()}
 *   <li>{@code /close-before}: closes the connection on the request head
 *   <li>{@code /close-mid}: sends a head announcing 1000 bytes, 10 bytes, then closes
 *   <li>{@code /big/N}: streams N bytes (chunked)
 *   <li>{@code /nolength}: body delimited by closing the connection
 *   <li>{@code /hop}: a response carrying hop-by-hop headers
 * </ul>
 *
 * <p>Thread-safe: counters are atomic; one event-loop thread serves every connection.
 */
final class TestBackend implements AutoCloseable {
  final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private final Set<Channel> children = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile CompletableFuture<Void> hangArrived = new CompletableFuture<>();
  private volatile String forced;
  private final AtomicInteger resetNext = new AtomicInteger();

  private TestBackend(String name) {
    this.name = name;
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.incrementAndGet();
                    children.add(ch);
                    ch.closeFuture().addListener(f -> children.remove(ch));
                    ch.pipeline().addLast(new HttpServerCodec()).addLast(new Logic());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  static TestBackend start(String name) {
    return new TestBackend(name);
  }

  int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  Endpoint endpoint() {
    return Endpoint.builder().id(name).host("127.0.0.1").port(port()).build();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Request heads received so far. */
  int requests() {
    return requests.get();
  }

  /** Completes when a {@code /hang} request arrives (re-armed by {@link #rearmHang()}). */
  CompletableFuture<Void> hangArrived() {
    return hangArrived;
  }

  /** Makes this backend treat every request as if its path were {@code path} (null: stop). */
  void force(String path) {
    forced = path;
  }

  /** Makes this backend close the connection on the next {@code n} request heads. */
  void resetNext(int n) {
    resetNext.set(n);
  }

  void rearmHang() {
    hangArrived = new CompletableFuture<>();
  }

  /** Simulates a crash: stops listening and cuts every connection. */
  void kill() {
    server.close().syncUninterruptibly();
    for (Channel ch : children) {
      ch.close().syncUninterruptibly();
    }
  }

  @Override
  public void close() {
    kill();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Per connection; not thread-safe (one event loop). */
  private final class Logic extends ChannelInboundHandlerAdapter {
    private HttpRequest request;
    private long bodyBytes;
    private long bigRemaining;
    private boolean keepAlive;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest) {
          request = (HttpRequest) msg;
          bodyBytes = 0;
          keepAlive = HttpUtil.isKeepAlive(request);
          requests.incrementAndGet();
          onHead(ctx);
        }
        if (msg instanceof HttpContent) {
          bodyBytes += ((HttpContent) msg).content().readableBytes();
          if (msg instanceof LastHttpContent && request != null) {
            onEnd(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private String path() {
      String f = forced;
      return f != null ? f : request.uri();
    }

    private void onHead(ChannelHandlerContext ctx) {
      String uri = path();
      if (resetNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || uri.startsWith("/close-before")) {
        request = null;
        ctx.close();
      } else if (uri.startsWith("/hang")) {
        hangArrived.complete(null);
      }
    }

    private void onEnd(ChannelHandlerContext ctx) {
      String uri = path();
      if (uri.startsWith("/never") || uri.startsWith("/hang")) {
        return;
      }
      if (uri.startsWith("/status/")) {
        int code = Integer.parseInt(uri.substring("/status/".length()));
        respond(ctx, code, "status " + code + "\n", Map.of());
      } else if (uri.startsWith("/slow/")) {
        long ms = Long.parseLong(uri.substring("/slow/".length()));
        String body = echo();
        ctx.executor().schedule(() -> respond(ctx, 200, body, Map.of()), ms, TimeUnit.MILLISECONDS);
      } else if (uri.startsWith("/close-mid")) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1000);
        ctx.write(r);
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[10])))
            .addListener(ChannelFutureListener.CLOSE);
      } else if (uri.startsWith("/big/")) {
        bigRemaining = Long.parseLong(uri.substring("/big/".length()));
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(r, true);
        r.headers().set("x-backend", name);
        ctx.writeAndFlush(r);
        writeBig(ctx);
      } else if (uri.startsWith("/nolength")) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.write(r);
        ctx.write(
            new DefaultHttpContent(
                Unpooled.copiedBuffer("delimited by close\n", StandardCharsets.UTF_8)));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
            .addListener(ChannelFutureListener.CLOSE);
      } else if (uri.startsWith("/hop")) {
        respond(
            ctx,
            200,
            "hop\n",
            Map.of(
                "connection", "x-internal",
                "x-internal", "secret",
                "keep-alive", "timeout=5",
                "proxy-authenticate", "Basic",
                "x-end-to-end", "kept"));
      } else {
        respond(ctx, 200, echo(), Map.of());
      }
    }

    private String echo() {
      StringBuilder b = new StringBuilder();
      b.append("backend=").append(name).append('\n');
      b.append("method=").append(request.method()).append('\n');
      b.append("uri=").append(request.uri()).append('\n');
      b.append("body=").append(bodyBytes).append('\n');
      for (Map.Entry<String, String> h : request.headers()) {
        b.append("h:").append(h.getKey().toLowerCase()).append('=').append(h.getValue());
        b.append('\n');
      }
      return b.toString();
    }

    private void respond(ChannelHandlerContext ctx, int code, String body, Map<String, String> h) {
      if (!ctx.channel().isActive()) {
        return;
      }
      ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
      HttpResponse r =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code));
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
      r.headers().set("x-backend", name);
      h.forEach(r.headers()::set);
      if (!keepAlive) {
        r.headers().set(HttpHeaderNames.CONNECTION, "close");
      }
      ctx.write(r);
      var f = ctx.writeAndFlush(new DefaultLastHttpContent(content));
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private void writeBig(ChannelHandlerContext ctx) {
      while (bigRemaining > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(64 * 1024, bigRemaining);
        bigRemaining -= n;
        ByteBuf chunk = ctx.alloc().buffer(n);
        chunk.writeZero(n);
        ctx.writeAndFlush(new DefaultHttpContent(chunk));
      }
      if (bigRemaining == 0) {
        bigRemaining = -1;
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && bigRemaining > 0) {
        writeBig(ctx);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
