package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import io.dsblocks.loadbalancer.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One backend request made for a route's response cache (a miss, a revalidation or a pass-through):
 * the cache's {@code Origin} for one client request. It uses the same machinery as an {@link
 * Exchange} — the route pool's picker, per-endpoint circuit breakers, the client loop's pooled
 * keep-alive connections, the request timeout per attempt, retries on another endpoint within the
 * retry budget (GET and HEAD without body are always safe to repeat) — but collects the response
 * into an {@link EdgeResponse} instead of streaming it to a client.
 *
 * <p>The body is buffered up to the cache's {@code maxObjectBytes}. A longer one cannot be stored,
 * so buffering stops: while the client that triggered the fetch still waits for it ({@link
 * #target}), the response is streamed to that client from where it is (the buffered prefix, then
 * the rest with back-pressure); for a background revalidation nobody waits and the connection is
 * simply closed. Either way the cache gets a {@link #streamedMarker} that forbids storing, so it
 * drops what it held for the key and serves other waiters by their own fetches.
 *
 * <p>Responses carrying {@code Set-Cookie} get an extra {@code no-store} directive before the cache
 * sees them (a shared cache must not hand one client's cookie to others; Varnish's rule). {@link
 * CachedExchange} removes it again before the response goes to the client.
 *
 * <p>Not thread-safe: confined to the client connection's event loop, which also owns the backend
 * connection.
 */
final class BackendFetch extends BackendUser {
  /** Header on the marker response: the fetch streamed (or dropped) an oversized body. */
  static final String STREAMED = "x-dsblocks-streamed";

  private static final int RESET = BackendFailure.RESET_KIND;
  private static final int TIMEOUT = BackendFailure.TIMEOUT_KIND;
  private static final int BAD_RESPONSE = BackendFailure.BAD_RESPONSE_KIND;

  private final RouteRuntime route;
  private final PoolRuntime pool;
  private final EventLoop loop;
  private final EdgeRequest request;
  private final boolean headRequest;
  private final int maxBytes;
  private final LazyTimer timer;

  /** Completed once, on the event loop, as the last action of whatever completes it. */
  final CompletableFuture<EdgeResponse> result = new CompletableFuture<>();

  private CachedExchange target;
  private HttpRequest backendRequest;
  private Channel backend;
  private BackendHandler backendHandler;
  private boolean requestSent;
  private HttpResponse head;
  private int status;
  private boolean backendKeepAlive;
  private ByteBuf body;
  private boolean streaming;
  private boolean finished;
  private boolean addedNoStore;

  BackendFetch(
      HttpProxyRuntime rt,
      RouteRuntime route,
      EventLoop loop,
      EdgeRequest request,
      int maxBytes,
      CachedExchange target) {
    super(rt);
    this.route = route;
    this.pool = route.pool;
    this.loop = loop;
    this.request = request;
    this.headRequest = "HEAD".equals(request.method());
    this.maxBytes = maxBytes;
    this.target = target;
    this.timer = new LazyTimer(loop, this::onTimeout);
  }

  /** The response the cache gets when the body was too large to buffer: never stored. */
  static EdgeResponse streamedMarker() {
    return EdgeResponse.of(200, EdgeHeaders.of("cache-control", "no-store", STREAMED, "1"));
  }

  /** Whether this fetch added {@code no-store} to its response (because of Set-Cookie). */
  boolean addedNoStore() {
    return addedNoStore;
  }

  String backendId() {
    return backendId;
  }

  int attempts() {
    return attempts;
  }

  /** Nobody waits for this fetch to stream to it any more (a background revalidation). */
  void detach() {
    if (!streaming) {
      target = null;
    }
  }

  /** Starts the first attempt; called on the event loop. */
  void start(RequestContext pickContext) {
    this.pick = pickContext;
    rt.config.retryBudget().onRequest();
    attempt();
  }

  // ---------------------------------------------------------------- attempts

  private void attempt() {
    String none = beginAttempt(pool);
    if (none != null) {
      fail(attempts == 0 ? 503 : lastFailureStatus, attempts == 0 ? none : null);
      return;
    }
    runAttempt(loop, pool);
  }

  @Override
  boolean finished() {
    return finished;
  }

  @Override
  void bind(Channel ch) {
    backend = ch;
    backendHandler = backendHandlerOf(ch);
    backendHandler.attach(this, false, headRequest);
    // Buffering is bounded by maxBytes, so read freely until (and unless) we stream to a client.
    ch.config().setAutoRead(true);
  }

  @Override
  void send() {
    if (backendRequest == null) {
      HttpRequest r =
          new DefaultHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()), request.uri());
      HttpHeaders h = r.headers();
      EdgeHeaders eh = request.headers();
      for (String name : eh.names()) {
        List<String> values = eh.all(name);
        for (int i = 0; i < values.size(); i++) {
          h.add(name, values.get(i));
        }
      }
      if (!h.contains(HttpHeaderNames.HOST)) {
        h.set(HttpHeaderNames.HOST, endpoint.host() + ":" + endpoint.port()); // HTTP/1.0 clients
      }
      backendRequest = r;
    }
    backend.write(backendRequest);
    backend.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    requestSent = true;
    timer.arm(route.requestTimeoutNanos);
  }

  private void onTimeout() {
    if (!finished && head == null && requestSent) {
      attemptFailed(TIMEOUT, null);
    }
  }

  @Override
  void attemptFailed(int kind, Throwable cause) {
    timer.disarm();
    recordFailure(kind, cause);
    dropBackend(false);
    if (finished) {
      return;
    }
    if (streaming) {
      abortStream(lastFailureReason);
      return;
    }
    // Nothing reached a client yet and the request is a body-less GET or HEAD: always repeatable.
    releaseBody();
    head = null;
    if (attempts <= route.maxRetries && retryGranted(pool)) {
      requestSent = false;
      attempt();
      return;
    }
    fail(lastFailureStatus, lastFailureReason);
  }

  /** No response: the cache serves stale-if-error or surfaces the failure (as this status). */
  private void fail(int code, String why) {
    finished = true;
    timer.stop();
    releaseBody();
    result.completeExceptionally(
        new FetchFailure(code, why != null ? why : lastFailureReason, backendId, attempts));
  }

  private void dropBackend(boolean reusable) {
    if (backend == null) {
      return;
    }
    Channel ch = backend;
    BackendHandler bh = backendHandler;
    backend = null;
    backendHandler = null;
    if (reusable && ch.isActive()) {
      bh.returnToPool(backendContext(ch));
    } else {
      bh.detach();
      ch.close();
    }
  }

  // ---------------------------------------------------------------- response

  @Override
  void onBackendMessage(Object msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse) {
      HttpResponse response = (HttpResponse) msg;
      if (head != null) {
        ReferenceCountUtil.release(msg); // a second response to one request: framing is broken
        attemptFailed(BAD_RESPONSE, null);
        return;
      }
      if (response.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        attemptFailed(BAD_RESPONSE, response.decoderResult().cause());
        return;
      }
      int code = response.status().code();
      if (code >= 100 && code < 200) {
        ReferenceCountUtil.release(msg); // interim responses are not forwarded (see Exchange)
        if (code == 101) {
          attemptFailed(BAD_RESPONSE, null);
        }
        return;
      }
      if (code > 599) {
        ReferenceCountUtil.release(msg);
        attemptFailed(BAD_RESPONSE, null);
        return;
      }
      onResponseHead(response);
      if (!(msg instanceof HttpContent)) {
        return;
      }
    }
    if (msg instanceof HttpContent && head != null && !finished) {
      onBody((HttpContent) msg);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void onResponseHead(HttpResponse response) {
    timer.disarm();
    head = response;
    status = response.status().code();
    recordResponse(status);
    backendKeepAlive = HttpUtil.isKeepAlive(response);
    HttpHeaders h = response.headers();
    HopByHopHeaders.strip(h, HttpUtil.isTransferEncodingChunked(response));
    ForwardedHeaders.addVia(h, response.protocolVersion(), rt.via11);
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    boolean bodyless = headRequest || status == 204 || status == 304;
    if (!bodyless && HttpUtil.getContentLength(response, -1L) > maxBytes) {
      overflow(null); // announced too large: stream (or drop) from the first byte
    }
  }

  private void onBody(HttpContent content) {
    if (streaming) {
      stream(content);
      return;
    }
    ByteBuf data = content.content();
    int n = data.readableBytes();
    if (n > 0) {
      int buffered = body == null ? 0 : body.readableBytes();
      if ((long) buffered + n > maxBytes) {
        overflow(content);
        return;
      }
      if (body == null) {
        long announced = HttpUtil.getContentLength(head, -1L);
        int initial = announced > 0 ? (int) announced : Math.min(maxBytes, 8192);
        body = backend.alloc().heapBuffer(Math.max(initial, n), maxBytes);
      }
      body.writeBytes(data);
    }
    boolean last = content instanceof LastHttpContent;
    content.release();
    if (last) {
      complete();
    }
  }

  /** The whole response is buffered: hand it to the cache. */
  private void complete() {
    finished = true;
    timer.stop();
    EdgeResponse response = toEdgeResponse();
    dropBackend(backendKeepAlive);
    result.complete(response);
  }

  private EdgeResponse toEdgeResponse() {
    EdgeHeaders.Builder b = EdgeHeaders.builder();
    boolean setCookie = false;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = head.headers().iteratorCharSequence();
        it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      String name = e.getKey().toString();
      if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
        continue; // the body is whole now; the client side re-frames it
      }
      if (HttpHeaderNames.SET_COOKIE.contentEqualsIgnoreCase(name)) {
        setCookie = true;
      }
      b.add(name, e.getValue().toString());
    }
    int length = body == null ? 0 : body.readableBytes();
    boolean bodyless = headRequest || status == 204 || status == 304;
    if (!bodyless) {
      b.set("content-length", Integer.toString(length));
    }
    if (setCookie) {
      b.add("cache-control", "no-store");
      addedNoStore = true;
    }
    EdgeHeaders headers = b.build();
    if (body == null) {
      return EdgeResponse.of(status, headers);
    }
    try {
      return EdgeResponse.of(status, headers, body.nioBuffer());
    } finally {
      releaseBody();
    }
  }

  /**
   * The body is longer than the cache may store: stream it to the waiting client, or drop it. The
   * cache gets the never-stored marker either way, after the client side has been set up.
   */
  private void overflow(HttpContent pending) {
    CachedExchange t = target;
    if (t == null || !t.canStream()) {
      finished = true;
      timer.stop();
      releaseBody();
      if (pending != null) {
        pending.release();
      }
      dropBackend(false); // the rest of the body is unread: the connection cannot be reused
      result.complete(streamedMarker());
      return;
    }
    streaming = true;
    t.streamHead(head, this);
    if (body != null) {
      ByteBuf prefix = body;
      body = null;
      stream(new DefaultHttpContent(prefix));
    }
    if (pending != null) {
      stream(pending);
    }
    result.complete(streamedMarker());
  }

  private void stream(HttpContent content) {
    CachedExchange t = target;
    if (content instanceof LastHttpContent) {
      finished = true;
      timer.stop();
      dropBackend(backendKeepAlive);
      t.streamContent(content, true);
      return;
    }
    boolean clientWritable = t.streamContent(content, false);
    if (!clientWritable && backend != null) {
      backend.config().setAutoRead(false); // resumed by resumeReading()
    }
  }

  /** The streaming client drained its buffer. */
  void resumeReading() {
    if (streaming && backend != null) {
      backend.config().setAutoRead(true);
    }
  }

  /** The streaming client went away: stop, and close the half-read backend connection. */
  void cancel() {
    if (finished) {
      return;
    }
    finished = true;
    timer.stop();
    releaseBody();
    releaseOutcome();
    dropBackend(false);
    if (!result.isDone()) {
      result.completeExceptionally(new FetchFailure(502, "client_closed", backendId, attempts));
    }
  }

  private void abortStream(String why) {
    finished = true;
    timer.stop();
    dropBackend(false);
    target.streamAborted(why);
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  void onBackendReadComplete() {
    if (streaming && !finished) {
      target.flush();
    }
  }

  @Override
  void onBackendWritabilityChanged() {
    // The request is sent in one write; nothing waits for the backend to drain.
  }

  @Override
  void onBackendIdle() {
    // Waiting for the head is bounded by the request timeout; a stalled body is not.
    if (head != null || !requestSent) {
      attemptFailed(TIMEOUT, null);
    }
  }

  @Override
  void onBackendClosed(Throwable cause) {
    if (finished) {
      return;
    }
    backend = null; // already closing; nothing to return to the pool
    backendHandler = null;
    attemptFailed(RESET, cause);
  }

  /**
   * The fetch got no usable response. Carries the status the client should get when the cache
   * cannot serve anything instead (502, 503 or 504) and what the access log should say.
   */
  static final class FetchFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String reason;
    final String backendId;
    final int attempts;

    FetchFailure(int status, String reason, String backendId, int attempts) {
      super(reason, null, false, false); // control flow, not a bug: no stack trace
      this.status = status;
      this.reason = reason;
      this.backendId = backendId;
      this.attempts = attempts;
    }
  }
}
