package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP/1.1 backend for the response-cache tests whose answers the test scripts per request
 * (status, headers, body, chunked or not), that records every request it receives, and that can
 * hold its answers until the test releases them (to keep many cache misses in flight at once).
 *
 * <p>Thread-safe: the script and hold flag are volatile, records are concurrent collections, and
 * held answers are sent on each connection's own event loop.
 */
final class ScriptedBackend implements AutoCloseable {
  /** A request as the backend saw it: method, URI and headers (names lower-case). */
  record Seen(String method, String uri, Map<String, String> headers) {}

  /** A scripted answer. */
  record Answer(int status, List<String> headers, byte[] body, boolean chunked) {
    static Answer of(int status, String body, String... headers) {
      return new Answer(status, List.of(headers), body.getBytes(StandardCharsets.UTF_8), false);
    }
  }

  private final String name;
  private final EventLoopGroup group;
  private final Channel server;
  private final Set<Channel> children = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<Runnable> held = new CopyOnWriteArrayList<>();
  private volatile Function<Seen, Answer> script;
  private volatile boolean hold;

  private ScriptedBackend(String name, Function<Seen, Answer> script) {
    this.name = name;
    this.script = script;
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
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Logic());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  static ScriptedBackend start(String name, Function<Seen, Answer> script) {
    return new ScriptedBackend(name, script);
  }

  void script(Function<Seen, Answer> newScript) {
    this.script = newScript;
  }

  Endpoint endpoint() {
    int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
    return Endpoint.builder().id(name).host("127.0.0.1").port(port).build();
  }

  int requests() {
    return seen.size();
  }

  int connections() {
    return connections.get();
  }

  /** Connections currently open. */
  int openConnections() {
    return children.size();
  }

  Seen last() {
    return seen.get(seen.size() - 1);
  }

  /** Answers from now on wait for {@link #release()}. */
  void hold() {
    hold = true;
  }

  void release() {
    hold = false;
    List<Runnable> snapshot = new ArrayList<>(held);
    held.clear();
    snapshot.forEach(Runnable::run);
  }

  /** Stops listening and cuts every connection (a crashed backend). */
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

  /** Per connection; confined to its event loop. */
  private final class Logic extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      Map<String, String> headers = new ConcurrentHashMap<>();
      req.headers()
          .forEach(
              e ->
                  headers.merge(
                      e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + ", " + b));
      Seen s = new Seen(req.method().name(), req.uri(), headers);
      seen.add(s);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      boolean headRequest = "HEAD".equals(s.method());
      Runnable answer = () -> respond(ctx, script.apply(s), keepAlive, headRequest);
      if (hold) {
        held.add(() -> ctx.executor().execute(answer));
      } else {
        answer.run();
      }
    }

    private void respond(
        ChannelHandlerContext ctx, Answer a, boolean keepAlive, boolean headRequest) {
      if (!ctx.channel().isActive()) {
        return;
      }
      HttpResponse r =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()));
      for (int i = 0; i < a.headers().size(); i += 2) {
        r.headers().add(a.headers().get(i), a.headers().get(i + 1));
      }
      boolean bodyless = headRequest || a.status() == 304 || a.status() == 204;
      if (a.chunked() && !bodyless) {
        HttpUtil.setTransferEncodingChunked(r, true);
      } else if (a.status() != 304 && a.status() != 204) {
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, a.body().length);
      }
      if (!keepAlive) {
        r.headers().set(HttpHeaderNames.CONNECTION, "close");
      }
      ctx.write(r);
      ChannelFuture last;
      if (bodyless) {
        last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      } else if (a.chunked()) {
        int chunk = 16 * 1024;
        for (int off = 0; off < a.body().length; off += chunk) {
          ByteBuf part =
              Unpooled.wrappedBuffer(a.body(), off, Math.min(chunk, a.body().length - off));
          ctx.write(new DefaultHttpContent(part));
        }
        last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      } else {
        last = ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(a.body())));
      }
      if (!keepAlive) {
        last.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
