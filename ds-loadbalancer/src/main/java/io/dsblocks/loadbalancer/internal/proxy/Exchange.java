package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.AccessLogRecord;
import io.dsblocks.loadbalancer.proxy.AccessLogSink;
import io.dsblocks.loadbalancer.proxy.FilterResult;
import io.dsblocks.loadbalancer.proxy.HttpFilter;
import io.dsblocks.ratelimit.RateLimiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request through the L7 proxy, from its head arriving to the end of the response (or its
 * abort): routing, filters, rate limit, backend choice with circuit breakers, attempts and retries,
 * streaming the body up and the response down with back-pressure, timeouts, outcome reporting and
 * the access log record.
 *
 * <p>Everything runs on the client connection's event loop, which also owns the backend connection
 * (backend connections are created on, and pooled per, the client's loop), so the state below needs
 * no synchronisation.
 *
 * <p>Body streaming is demand-driven: the client channel never auto-reads; a {@code
 * FlowControlHandler} hands over one decoded message per {@code read()}, and the next {@code
 * read()} is issued only after the previous content was written to a writable backend connection.
 * The response flows the other way with the backend's auto-read switched off while the client
 * cannot take more. Nothing is aggregated, so a body of any size passes with bounded memory.
 *
 * <p>Not thread-safe: confined to the client connection's event loop.
 */
final class Exchange extends BackendUser {
  private static final int CONNECT = BackendFailure.CONNECT_KIND;
  private static final int RESET = BackendFailure.RESET_KIND;
  private static final int TIMEOUT = BackendFailure.TIMEOUT_KIND;
  private static final int BAD_RESPONSE = BackendFailure.BAD_RESPONSE_KIND;

  private final HttpProxyHandler handler;
  private final ChannelHandlerContext cctx;
  private final HttpRequest request;
  private final String method;
  private final String uri;
  private final String protocol;
  private final boolean headRequest;
  private final boolean clientKeepAlive;
  private final boolean http10;
  private final boolean requestHasBody;
  private final boolean idempotent;
  private final ProxyServerCodec rawCodec; // non-null: responses may take the raw path
  private final long startNanos;
  private final long startMillis;

  private String routeName = "-";
  private CharSequence traceparent; // the value sent on; the trace id is cut out only to log
  private String reason = "-";
  private PoolRuntime pool;
  private long requestTimeoutNanos;
  private int maxRetries;
  private boolean expectContinue;
  private boolean hostMissing; // an HTTP/1.0 request without Host: the endpoint's is added

  private Channel backend;
  private BackendHandler backendHandler;

  private boolean requestComplete;
  private boolean requestSent;
  private boolean endWrittenWithHead; // this attempt's request went out whole (body-less)
  private ByteBuf pendingHead; // a raw response head waiting to share one buffer with its body
  private boolean bodyForwarded;
  private boolean awaitingBackendWritable;
  private boolean responseStarted;
  private boolean responseComplete;
  private boolean backendKeepAlive;
  private boolean closeClient;
  private int status;
  private long requestBytes;
  private long responseBytes;
  private boolean done;
  private ChannelFuture lastClientWrite;
  private CachedExchange cached; // set when a route's response cache answers this request
  private HttpContent heldContent; // request content that arrived while a retry had no backend yet

  /** An exchange for a forwarded request. */
  Exchange(HttpProxyHandler handler, HttpRequest request) {
    super(handler.runtime());
    this.handler = handler;
    this.cctx = handler.context();
    this.request = request;
    this.method = request.method().name();
    this.uri = request.uri();
    this.protocol = request.protocolVersion().text();
    this.headRequest = HttpMethod.HEAD.equals(request.method());
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    this.requestHasBody =
        HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    this.idempotent = isIdempotent(method);
    // The raw response path writes HTTP/1.1 bytes as the backend sent them: only for HTTP/1.1
    // clients (an HTTP/1.0 client may need the body re-framed, an HTTP/2 one needs frames).
    this.rawCodec = http10 ? null : handler.codec();
    this.startNanos = rt.config.ticker().read();
    this.startMillis = rt.config.clock().millis();
  }

  /** An exchange for a request rejected before it could be parsed or forwarded. */
  Exchange(HttpProxyHandler handler, String method, String uri) {
    super(handler.runtime());
    this.handler = handler;
    this.cctx = handler.context();
    this.request = null;
    this.method = method;
    this.uri = uri;
    this.protocol = "-";
    this.headRequest = "HEAD".equals(method);
    this.clientKeepAlive = false;
    this.http10 = false;
    this.requestHasBody = true; // unknown: the connection is closed afterwards anyway
    this.idempotent = false;
    this.rawCodec = null;
    this.startNanos = rt.config.ticker().read();
    this.startMillis = rt.config.clock().millis();
  }

  private static boolean isIdempotent(String m) {
    switch (m) {
      case "GET":
      case "HEAD":
      case "PUT":
      case "DELETE":
      case "OPTIONS":
        return true;
      default:
        return false;
    }
  }

  // ---------------------------------------------------------------- request head

  void start() {
    HttpHeaders h = request.headers();
    if (rt.authEnabled && !AuthGate.normalizeTarget(this, request)) {
      return;
    }
    ProxyRequestView view = new ProxyRequestView(request, cctx.channel());
    // Hop-by-hop headers go first, so neither routing nor filters ever see them.
    HopByHopHeaders.strip(h, HttpUtil.isTransferEncodingChunked(request));
    if (rt.authRules != null && !AuthGate.allow(this, rt, view, rt.authRules, null)) {
      return;
    }
    RouteRuntime route = rt.match(view);
    if (route == null) {
      respondLocal(404, "no_route", Map.of(), null);
      return;
    }
    routeName = route.name;
    view.route(routeName);
    pool = route.pool;
    requestTimeoutNanos = route.requestTimeoutNanos;
    maxRetries = route.maxRetries;
    if (route.auth != null && !AuthGate.allow(this, rt, view, null, route.auth)) {
      return;
    }
    if (!runFilters(rt.config.filters(), view) || !runFilters(route.filters, view)) {
      return;
    }
    RateLimiter limiter = route.limiter;
    if (limiter != null && !limiter.tryAcquire()) {
      long waitNanos = Math.max(0, limiter.nanosUntilAvailable(1));
      long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
      respondLocal(429, "rate_limited", Map.of("retry-after", Long.toString(seconds)), null);
      return;
    }
    // Nothing changes Host from here on (filters ran before), so its absence is known now.
    hostMissing =
        !ForwardedHeaders.addToRequest(
            h,
            handler.clientIp(),
            handler.secure(),
            rt.config.trustForwardedHeaders(),
            request.protocolVersion(),
            rt.via11);
    traceparent = TraceContext.propagate(h);
    // We answer 100-continue ourselves once a backend is ready, so the backend never sees Expect.
    expectContinue = HttpUtil.is100ContinueExpected(request);
    if (expectContinue) {
      h.remove(HttpHeaderNames.EXPECT);
    }
    request.setProtocolVersion(HttpVersion.HTTP_1_1); // we always talk HTTP/1.1 to backends
    if (route.cache != null
        && !requestHasBody
        && !expectContinue
        && CachedExchange.handles(method)) {
      // A body-less GET or HEAD on a caching route: the cache answers it, or fills through the
      // route's pool (CachedExchange); every other request stays on the streaming path below.
      cached = new CachedExchange(this, handler, route, request, clientKeepAlive, http10);
      cached.start();
      return;
    }
    pick = handler.pickContext();
    rt.config.retryBudget().onRequest();
    attempt();
  }

  private boolean runFilters(List<HttpFilter> filters, ProxyRequestView view) {
    for (int i = 0; i < filters.size(); i++) {
      FilterResult r;
      try {
        r = filters.get(i).apply(view);
      } catch (RuntimeException e) {
        respondLocal(500, "filter", Map.of(), null);
        return false;
      }
      if (r == null || !r.proceeds()) {
        if (r == null) {
          respondLocal(500, "filter", Map.of(), null);
        } else {
          respondLocal(r.status(), "filter", r.headers(), r.body());
        }
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- attempts

  private void attempt() {
    String none = beginAttempt(pool);
    if (none != null) {
      failWithoutBackend(none);
      return;
    }
    runAttempt(cctx.channel().eventLoop(), pool);
  }

  private void failWithoutBackend(String why) {
    if (attempts == 0) {
      respondLocal(503, why, Map.of(), null);
    } else {
      respondLocal(lastFailureStatus, lastFailureReason, Map.of(), null);
    }
  }

  @Override
  boolean finished() {
    return done;
  }

  @Override
  void bind(Channel ch) {
    backend = ch;
    backendHandler = backendHandlerOf(ch);
    backendHandler.attach(this, rawCodec != null, headRequest);
    ch.config().setAutoRead(cctx.channel().isWritable());
  }

  @Override
  void send() {
    HttpHeaders h = request.headers();
    if (hostMissing) {
      hostMissing = false; // a retry keeps the first endpoint's, as the request now has one
      h.set(HttpHeaderNames.HOST, endpoint.host() + ":" + endpoint.port()); // HTTP/1.0 clients
    }
    if (requestComplete) {
      // A retry of a body-less request whose end was already consumed: send it whole again.
      if (requestHasBody) {
        backend.write(request, backend.voidPromise());
        backend.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, backend.voidPromise());
      } else {
        backend.writeAndFlush(wholeRequest(), backend.voidPromise());
      }
      requestSent = true;
      armTimeout();
      return;
    }
    // Void promises: nothing waits for these writes (a failure reaches the backend handler's
    // exceptionCaught and closes the connection, as a reset would), so no promise is allocated.
    endWrittenWithHead = !requestHasBody;
    if (requestHasBody) {
      backend.writeAndFlush(request, backend.voidPromise());
    } else {
      // Head and (empty) end in one message: the encoder makes one buffer of it instead of two
      // writes. Flushed when the client's end of the request has been read (onRequestContent).
      backend.write(wholeRequest(), backend.voidPromise());
    }
    if (expectContinue) {
      expectContinue = false;
      cctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
    HttpContent held = heldContent;
    if (held != null) {
      heldContent = null;
      onRequestContent(held); // arrived while this retry was connecting: it demands the next part
    } else {
      handler.requestRead(); // demand the first body part (or the end of a body-less request)
    }
  }

  /**
   * The body-less request as one message: its head encoded into one buffer ({@link
   * RequestHeadEncoder}), or where that does not apply a full request sharing the request's headers
   * for Netty's encoder. Built anew for every attempt, so a retry re-sends the same bytes.
   */
  private Object wholeRequest() {
    Object head = RequestHeadEncoder.encode(backend.alloc(), request);
    return head != null ? head : wholeRequestMessage();
  }

  private FullHttpRequest wholeRequestMessage() {
    return new DefaultFullHttpRequest(
        request.protocolVersion(),
        request.method(),
        request.uri(),
        Unpooled.EMPTY_BUFFER,
        request.headers(),
        EmptyHttpHeaders.INSTANCE);
  }

  private void armTimeout() {
    if (!responseStarted) {
      handler.requestTimer().arm(requestTimeoutNanos);
    }
  }

  private void cancelTimeout() {
    handler.requestTimer().disarm();
  }

  /** The request timer fired (it is disarmed whenever this attempt stops waiting). */
  void onRequestTimeout() {
    if (!done && !responseStarted && requestSent) {
      attemptFailed(TIMEOUT, null);
    }
  }

  @Override
  void attemptFailed(int kind, Throwable cause) {
    cancelTimeout();
    recordFailure(kind, cause);
    dropBackend(false);
    if (done) {
      return;
    }
    boolean retryable =
        !responseStarted
            && attempts <= maxRetries
            && cctx.channel().isActive()
            // Nothing was sent on a failed connect; otherwise only an idempotent request whose
            // body (if any) has not started to flow may be sent again.
            && (kind == CONNECT || (idempotent && !bodyForwarded));
    if (retryable && retryGranted(pool)) {
      requestSent = false;
      attempt();
      return;
    }
    if (responseStarted) {
      abort(lastFailureReason);
    } else {
      respondLocal(lastFailureStatus, lastFailureReason, Map.of(), null);
    }
  }

  /** Detaches from the backend connection: back to the pool if reusable, closed otherwise. */
  private void dropBackend(boolean reusable) {
    if (backend == null) {
      return;
    }
    Channel ch = backend;
    BackendHandler bh = backendHandler;
    backend = null;
    backendHandler = null;
    awaitingBackendWritable = false;
    if (reusable && ch.isActive()) {
      bh.returnToPool(backendContext(ch));
    } else {
      bh.detach();
      ch.close();
    }
  }

  // ---------------------------------------------------------------- request body

  void onRequestContent(HttpContent content) {
    if (done || requestSent) {
      ReferenceCountUtil.release(content); // cannot happen: no read is issued in these states
      return;
    }
    if (backend == null) {
      // The read demanded for a failed attempt was still outstanding and delivered this part while
      // the retry connects. Keep it for the retry's send(): dropping it would stall the exchange
      // (the backend waits for a body that never comes) and the connection behind it.
      heldContent = content;
      return;
    }
    int n = content.content().readableBytes();
    requestBytes += n;
    rt.counters.bytesFromClients.add(n);
    if (n > 0) {
      bodyForwarded = true;
    }
    if (content instanceof LastHttpContent) {
      requestComplete = true;
      requestSent = true;
      if (endWrittenWithHead) {
        content.release(); // empty: written with the head already (wholeRequest)
        backend.flush();
      } else {
        backend.writeAndFlush(content, backend.voidPromise());
      }
      if (responseComplete) {
        finish(); // the response overtook the request; now both are done
      } else {
        armTimeout();
        handler.readAhead();
      }
      return;
    }
    backend.writeAndFlush(content, backend.voidPromise());
    if (backend.isWritable()) {
      handler.requestRead();
    } else {
      awaitingBackendWritable = true; // resume when the backend drains
    }
  }

  void onBackendWritabilityChanged() {
    if (awaitingBackendWritable && backend != null && backend.isWritable()) {
      awaitingBackendWritable = false;
      handler.requestRead();
    }
  }

  // ---------------------------------------------------------------- response

  void onBackendMessage(Object msg) {
    if (done) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ResponseFramer.RawBody) {
      onRawBody((ResponseFramer.RawBody) msg);
      return;
    }
    if (msg instanceof RawResponseHead) {
      onRawHead((RawResponseHead) msg);
      return;
    }
    if (msg == ResponseFramer.MALFORMED_BODY) {
      abort("bad_response");
      return;
    }
    if (msg instanceof HttpResponse) {
      HttpResponse response = (HttpResponse) msg;
      if (responseStarted) {
        ReferenceCountUtil.release(msg); // a second response to one request: framing is broken
        abort("bad_response");
        return;
      }
      if (response.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        if (responseStarted) {
          abort("bad_response");
        } else {
          attemptFailed(BAD_RESPONSE, response.decoderResult().cause());
        }
        return;
      }
      int code = response.status().code();
      if (code >= 100 && code < 200) {
        // Interim responses (100 Continue, 103 Early Hints) are not forwarded: we answered the
        // client's Expect ourselves, and a 101 cannot happen because Upgrade is never forwarded.
        ReferenceCountUtil.release(msg);
        if (code == 101) {
          attemptFailed(BAD_RESPONSE, null);
        }
        return;
      }
      onResponseHead(response);
      if (!(msg instanceof HttpContent)) {
        return;
      }
    }
    if (msg instanceof HttpContent) {
      if (!responseStarted) {
        ReferenceCountUtil.release(msg);
        return;
      }
      HttpContent content = (HttpContent) msg;
      int n = content.content().readableBytes();
      responseBytes += n;
      rt.counters.bytesToClients.add(n);
      if (content instanceof LastHttpContent) {
        responseComplete = true;
        lastClientWrite = cctx.writeAndFlush(content);
        if (!requestComplete) {
          // The backend answered before the request body ended (e.g. an early 413): the backend
          // connection cannot be reused and the client connection is closed after the response.
          closeClient = true;
        }
        finish();
        return;
      }
      cctx.write(content, cctx.voidPromise());
      if (!cctx.channel().isWritable() && backend != null) {
        backend.config().setAutoRead(false); // resumes in onClientWritabilityChanged
      }
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  /** A response head on the raw path (see {@link ResponseFramer}): forwarded with line edits. */
  private void onRawHead(RawResponseHead head) {
    if (responseStarted) {
      abort("bad_response"); // a second response to one request: framing is broken
      return;
    }
    responseHead(head.status);
    backendKeepAlive = head.keepAlive;
    // The framer only takes bodies it can delimit, and only for HTTP/1.1 clients: no re-framing.
    closeClient = !clientKeepAlive || rt.draining() || (!requestComplete && requestHasBody);
    rawCodec.rawResponseStarted();
    responseStarted = true;
    // Room for a small body: the usual response then leaves as one buffer (one iovec, one
    // outbound entry) instead of head and body separately.
    int room =
        headRequest || head.status == 204 || head.status == 304
            ? 0
            : head.chunked ? 256 : (int) Math.min(Math.max(head.contentLength, 0), 4096);
    pendingHead = head.encode(cctx.alloc(), rt.via11, closeClient, room);
  }

  /** Writes a raw head that no body part joined within its read. */
  private void writePendingHead() {
    ByteBuf h = pendingHead;
    if (h != null) {
      pendingHead = null;
      rawCodec.writeRaw(h, false);
    }
  }

  /** Body bytes on the raw path, forwarded as they came (chunk framing included). */
  private void onRawBody(ResponseFramer.RawBody part) {
    if (!responseStarted) {
      part.release();
      return;
    }
    responseBytes += part.payload;
    rt.counters.bytesToClients.add(part.payload);
    ByteBuf out = part.content();
    ByteBuf h = pendingHead;
    if (h != null) {
      pendingHead = null;
      if (out.readableBytes() <= h.writableBytes()) {
        h.writeBytes(out);
        part.release();
        out = h;
      } else {
        rawCodec.writeRaw(h, false);
      }
    }
    if (part.last) {
      responseComplete = true;
      lastClientWrite = rawCodec.writeRaw(out, true);
      if (!requestComplete) {
        closeClient = true; // as for a decoded response that overtook its request
      }
      finish();
      return;
    }
    rawCodec.writeRaw(out, false);
    if (!cctx.channel().isWritable() && backend != null) {
      backend.config().setAutoRead(false); // resumes in onClientWritabilityChanged
    }
  }

  /** The response head arrived: the attempt's outcome for the picker and the breaker. */
  private void responseHead(int code) {
    cancelTimeout();
    status = code;
    recordResponse(code);
  }

  private void onResponseHead(HttpResponse response) {
    responseHead(response.status().code());
    backendKeepAlive = HttpUtil.isKeepAlive(response);
    HttpHeaders h = response.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(response);
    HopByHopHeaders.strip(h, chunked);
    ForwardedHeaders.addVia(h, response.protocolVersion(), rt.via11);
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    boolean bodyless =
        headRequest || status == 204 || status == 304 || (status >= 100 && status < 200);
    boolean delimited = chunked || h.contains(HttpHeaderNames.CONTENT_LENGTH) || bodyless;
    closeClient = !clientKeepAlive || rt.draining() || (!requestComplete && requestHasBody);
    if (!delimited) {
      // The backend delimits this body by closing its connection. An HTTP/1.1 client gets it
      // chunked so its connection survives; an HTTP/1.0 client cannot, so it gets a close.
      if (http10) {
        closeClient = true;
      } else {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    } else if (http10 && chunked) {
      // HTTP/1.0 has no chunked coding: send the raw body and mark its end by closing.
      h.remove(HttpHeaderNames.TRANSFER_ENCODING);
      closeClient = true;
    }
    if (closeClient) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    responseStarted = true;
    cctx.write(response, cctx.voidPromise());
  }

  void onBackendReadComplete() {
    writePendingHead();
    if (responseStarted && !done) {
      cctx.flush();
    }
  }

  void onClientWritabilityChanged() {
    if (cached != null) {
      cached.onClientWritabilityChanged();
      return;
    }
    if (backend != null && cctx.channel().isWritable()) {
      backend.config().setAutoRead(true);
    }
  }

  void onBackendClosed(Throwable cause) {
    if (done) {
      return;
    }
    backend = null; // already closing; nothing to return to the pool
    backendHandler = null;
    if (responseComplete) {
      return;
    }
    if (!responseStarted) {
      attemptFailed(RESET, cause);
    } else {
      abort("backend_reset");
    }
  }

  void onBackendIdle() {
    // Waiting for the response head is bounded by the request timeout, not by idleness.
    if (responseStarted || !requestSent) {
      abort("idle_timeout");
    }
  }

  void onClientIdle() {
    if (cached != null) {
      // Waiting for a cache fill is bounded by the fill's own timeouts; a stalled stream is not.
      if (cached.streaming()) {
        abort("idle_timeout");
      }
      return;
    }
    if (responseStarted || !requestSent) {
      abort("idle_timeout");
    }
  }

  void onClientClosed() {
    if (!done) {
      abort("client_closed");
    }
  }

  /** The validator refused the rest of this request (body too large or malformed chunk). */
  void onRejected(RejectedRequest r) {
    if (done) {
      return;
    }
    if (responseStarted) {
      abort(r.reason());
      return;
    }
    cancelTimeout();
    releaseOutcome();
    dropBackend(false);
    requestComplete = false;
    respondLocal(r.status(), r.reason(), Map.of(), null);
  }

  // ---------------------------------------------------------------- endings

  /** Answers the request with a response generated here, then finishes. */
  void respondLocal(int code, String why, Map<String, String> headers, String body) {
    rt.counters.localResponses.increment();
    rt.config.listener().onLocalResponse(code, why);
    reason = why;
    status = code;
    // The connection survives only if the request ended cleanly and nothing of it is left unread.
    boolean keepAlive = clientKeepAlive && !rt.draining() && (requestComplete || !requestHasBody);
    closeClient = !keepAlive;
    HttpResponse r =
        LocalResponses.create(cctx.alloc(), code, body, headers, closeClient, headRequest);
    if (http10 && keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    responseStarted = true;
    responseComplete = true;
    lastClientWrite = cctx.writeAndFlush(r);
    finish();
  }

  /** Ends the exchange abnormally after the response started (or the client left): cut it. */
  private void abort(String why) {
    if (done) {
      return;
    }
    if (cached != null) {
      cached.onAbort();
    }
    reason = why;
    if (!responseStarted) {
      status = 0;
    }
    cancelTimeout();
    releaseOutcome();
    releaseHeldContent();
    if (pendingHead != null) {
      pendingHead.release();
      pendingHead = null;
    }
    dropBackend(false);
    closeClient = true;
    responseComplete = false;
    done = true;
    log();
    handler.exchangeDone(this, true, cctx.newSucceededFuture());
  }

  /** Request content kept for a retry that never got to send it (the exchange ended first). */
  private void releaseHeldContent() {
    if (heldContent != null) {
      ReferenceCountUtil.release(heldContent);
      heldContent = null;
    }
  }

  private void finish() {
    if (done) {
      return;
    }
    done = true;
    cancelTimeout();
    releaseOutcome();
    releaseHeldContent();
    writePendingHead(); // cannot be left here in practice: the last part consumes it
    dropBackend(responseComplete && requestSent && backendKeepAlive);
    log();
    boolean close = closeClient || rt.draining();
    handler.exchangeDone(
        this, close, lastClientWrite != null ? lastClientWrite : cctx.newSucceededFuture());
  }

  /**
   * Ends an exchange the response cache handled: records its outcome for the access log, then hands
   * the connection back like {@link #finish()} (or closes it when {@code close}).
   */
  void endCached(
      int code,
      String why,
      String backend,
      int tries,
      long bytes,
      boolean close,
      ChannelFuture lastWrite) {
    if (done) {
      return;
    }
    done = true;
    status = code;
    reason = why;
    backendId = backend;
    attempts = tries;
    responseBytes = bytes;
    responseStarted = true;
    responseComplete = !close || lastWrite != null;
    log();
    handler.exchangeDone(
        this, close || rt.draining(), lastWrite != null ? lastWrite : cctx.newSucceededFuture());
  }

  boolean requestComplete() {
    return requestComplete;
  }

  private void log() {
    AccessLogSink sink = handler.accessLog();
    if (sink == null) {
      return;
    }
    AccessLogRecord record =
        new AccessLogRecord(
            startMillis,
            cctx.channel().remoteAddress(),
            method,
            uri,
            protocol,
            status,
            requestBytes,
            responseBytes,
            routeName,
            backendId,
            attempts,
            Math.max(0, rt.config.ticker().read() - startNanos),
            TraceContext.traceId(traceparent),
            reason);
    try {
      sink.log(record);
    } catch (RuntimeException e) {
      // A failing sink must not break the connection; the record is lost.
    }
  }
}
