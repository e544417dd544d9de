package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.proxy.AccessLogSink;
import io.dsblocks.loadbalancer.tls.TlsSessions;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The last handler of a client connection: runs one {@link Exchange} at a time and decides what the
 * connection does between them (wait for the next request, drain the unread end of a request that
 * was answered locally, or close).
 *
 * <p>The channel never auto-reads; every message is pulled with {@code read()} through a {@code
 * FlowControlHandler}. That is what makes HTTP/1.1 pipelining safe (a second request already
 * decoded waits in the flow-control queue until the first response is complete) and what gives
 * request bodies their back-pressure.
 *
 * <p>Not thread-safe: one instance per client channel, used on its event loop.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
  private static final int AWAIT_HEAD = 0;
  private static final int EXCHANGE = 1;
  private static final int DISCARD = 2;
  private static final int CLOSING = 3;

  private final HttpProxyRuntime rt;
  private final AccessLogSink accessLog;
  private ChannelHandlerContext ctx;
  private RequestHeadTimeoutHandler guard;
  private RequestContext pickContext;
  private String clientIp;
  private int state = AWAIT_HEAD;
  private Exchange exchange;
  private boolean readWanted;
  private ChannelHandlerContext flowContext;
  private LazyTimer requestTimer;
  private ProxyServerCodec codec;
  private int secure; // 0 unknown, 1 TLS, -1 plain

  /**
   * Creates the handler of one connection.
   *
   * @param rt the proxy's shared state
   */
  public HttpProxyHandler(HttpProxyRuntime rt) {
    this.rt = rt;
    this.accessLog = rt.config.accessLog().orElse(null);
  }

  HttpProxyRuntime runtime() {
    return rt;
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  AccessLogSink accessLog() {
    return accessLog;
  }

  /** The balancer context of this connection's requests (its client address, for IP hashing). */
  RequestContext pickContext() {
    if (pickContext == null) {
      Object a = ctx.channel().remoteAddress();
      pickContext =
          a instanceof InetSocketAddress && ((InetSocketAddress) a).getAddress() != null
              ? RequestContext.ofClient(((InetSocketAddress) a).getAddress())
              : RequestContext.empty();
    }
    return pickContext;
  }

  /**
   * Whether the connection is TLS, looked up once per connection: the lookup walks the pipeline
   * (and an HTTP/2 stream's parent), and {@code X-Forwarded-Proto} needs it on every request.
   */
  boolean secure() {
    if (secure == 0) {
      secure = TlsSessions.sslHandler(ctx.channel()) != null ? 1 : -1;
    }
    return secure > 0;
  }

  /** The client's IP as forwarded in {@code X-Forwarded-For}, formatted once per connection. */
  String clientIp() {
    if (clientIp == null) {
      clientIp = ForwardedHeaders.clientIp(ctx.channel().remoteAddress());
    }
    return clientIp;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.guard = ctx.pipeline().get(RequestHeadTimeoutHandler.class);
    this.requestTimer = new LazyTimer(ctx.executor(), this::requestTimedOut);
    this.codec = ctx.pipeline().get(ProxyServerCodec.class); // absent on HTTP/2 streams
    // The socket-level read below the flow-control queue; only on HTTP/1.1 connections.
    this.flowContext = codec == null ? null : ctx.pipeline().context(FlowControlHandler.class);
  }

  /**
   * Keeps the socket armed for the next request once the current one has been read whole. The read
   * is issued below the flow-control handler, which queues whatever arrives until this handler asks
   * for it, so a pipelined request still waits for the current response. Pulling the next request
   * only after the response instead lets Netty drop read interest at the end of every read cycle
   * and add it back for the next request: two {@code epoll_ctl} calls per request.
   */
  void readAhead() {
    if (flowContext != null && state == EXCHANGE) {
      flowContext.read();
    }
  }

  /** The connection's HTTP/1.1 codec, through which raw responses are written; null on HTTP/2. */
  ProxyServerCodec codec() {
    return codec;
  }

  /** The connection's request timeout, shared by its exchanges (one runs at a time). */
  LazyTimer requestTimer() {
    return requestTimer;
  }

  private void requestTimedOut() {
    if (exchange != null) {
      exchange.onRequestTimeout();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    requestRead();
    ctx.fireChannelActive();
  }

  /**
   * Asks for the next message. The flag matters because FlowControlHandler may satisfy a {@code
   * read()} with a bare {@code channelReadComplete} (it folds outstanding reads into the end of a
   * read cycle) instead of a message; then {@link #channelReadComplete} asks again.
   */
  void requestRead() {
    // At most one outstanding demand: a second one could pull the next pipelined request in
    // while the current exchange is still running (e.g. when a retry re-issues its read).
    if (!readWanted) {
      readWanted = true;
      ctx.read();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (readWanted) {
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readWanted = false;
    if (msg instanceof RejectedRequest) {
      onRejected((RejectedRequest) msg);
      return;
    }
    if (msg instanceof HttpRequest && state == AWAIT_HEAD) {
      guard.headReceived();
      rt.counters.requests.increment();
      state = EXCHANGE;
      exchange = new Exchange(this, (HttpRequest) msg);
      exchange.start();
      return;
    }
    if (msg instanceof HttpContent) {
      if (state == EXCHANGE && exchange != null) {
        exchange.onRequestContent((HttpContent) msg);
        return;
      }
      ReferenceCountUtil.release(msg);
      if (state == DISCARD && msg instanceof LastHttpContent) {
        awaitNextRequest();
      } else if (state == DISCARD) {
        requestRead();
      }
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void onRejected(RejectedRequest r) {
    rt.counters.requests.increment();
    if (state == EXCHANGE && exchange != null) {
      exchange.onRejected(r);
      return;
    }
    if (state == CLOSING) {
      return;
    }
    guard.headReceived();
    state = EXCHANGE;
    exchange = new Exchange(this, r.method(), r.uri());
    exchange.respondLocal(
        r.status(),
        r.reason(),
        r.extraHeader() == null ? Map.of() : Map.of(r.extraHeader(), r.extraValue()),
        null);
  }

  /**
   * Called by the exchange when it is over.
   *
   * @param e the exchange
   * @param close whether the connection must close once {@code lastWrite} completes
   * @param lastWrite the future of the exchange's last write to the client
   */
  void exchangeDone(Exchange e, boolean close, ChannelFuture lastWrite) {
    if (exchange != e) {
      return;
    }
    exchange = null;
    if (close || rt.draining()) {
      state = CLOSING;
      lastWrite.addListener(ChannelFutureListener.CLOSE);
    } else if (!e.requestComplete()) {
      // Answered before the (empty) end of the request was read: consume it, then go on.
      state = DISCARD;
      requestRead();
    } else {
      awaitNextRequest();
    }
  }

  private void awaitNextRequest() {
    if (rt.draining()) {
      state = CLOSING;
      ctx.close();
      return;
    }
    state = AWAIT_HEAD;
    guard.awaitHead();
    requestRead();
  }

  /** Graceful shutdown: close now if idle; otherwise the current exchange closes at its end. */
  public void drain() {
    if ((state == AWAIT_HEAD && !guard.requestStarted()) || state == DISCARD) {
      state = CLOSING;
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == RequestHeadTimeoutHandler.HEAD_TIMEOUT) {
      if (state == AWAIT_HEAD) {
        state = EXCHANGE;
        exchange = new Exchange(this, "-", "-");
        exchange.respondLocal(408, "header_timeout", Map.of(), null);
      }
      return;
    }
    if (evt instanceof IdleStateEvent) {
      // Waiting for a request is the head-timeout handler's business; during an exchange the
      // exchange decides (waiting for a backend is bounded by the request timeout instead).
      if (state == EXCHANGE && exchange != null) {
        exchange.onClientIdle();
      } else if (state == DISCARD) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = CLOSING;
    requestTimer.stop();
    if (exchange != null) {
      exchange.onClientClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets, TLS errors, pipelining overflow: nothing sensible can be sent any more.
    ctx.close();
  }
}
