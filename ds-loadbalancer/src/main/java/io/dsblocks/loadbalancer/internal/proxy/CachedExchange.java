package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.cache.edge.EdgeCache;
import io.dsblocks.cache.edge.EdgeHeaders;
import io.dsblocks.cache.edge.EdgeRequest;
import io.dsblocks.cache.edge.EdgeResponse;
import io.dsblocks.cache.edge.EdgeResult;
import io.dsblocks.cache.edge.OriginException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A body-less GET or HEAD on a route with a response cache, from the moment {@link Exchange} has
 * routed, filtered, rate-limited it and added the forwarding headers, to its response: the route's
 * {@link EdgeCache} answers it (fresh hit, stale, or a client 304), or fills through this request's
 * own origin, a {@link BackendFetch} on this connection's event loop.
 *
 * <p>The cache may complete its answer on another event loop (a request that waited for another
 * connection's fill); the answer is then handed back to this connection's loop, so all state below
 * stays confined to it. Responses are written whole ({@code Content-Length}, {@code X-Cache},
 * {@code Age} from the cache); only an oversized body that this request's own fetch could not
 * buffer is streamed, by the fetch through {@link #streamHead}/{@link #streamContent}.
 *
 * <p>Not thread-safe: confined to the client connection's event loop.
 */
final class CachedExchange {
  private static final AsciiString X_CACHE = AsciiString.cached("x-cache");
  private static final AsciiString PASS = AsciiString.cached("PASS");

  private final Exchange exchange;
  private final HttpProxyHandler handler;
  private final HttpProxyRuntime rt;
  private final ChannelHandlerContext cctx;
  private final EventLoop loop;
  private final RouteRuntime route;
  private final HttpRequest request;
  private final boolean clientKeepAlive;
  private final boolean http10;
  private final boolean headRequest;

  private BackendFetch fetch; // the latest fetch made for this request (at most one at a time)
  private BackendFetch streamingFetch;
  private boolean inGet;
  private boolean done;
  private boolean closeClient;
  private int streamStatus;
  private long streamedBytes;

  CachedExchange(
      Exchange exchange,
      HttpProxyHandler handler,
      RouteRuntime route,
      HttpRequest request,
      boolean clientKeepAlive,
      boolean http10) {
    this.exchange = exchange;
    this.handler = handler;
    this.rt = handler.runtime();
    this.cctx = handler.context();
    this.loop = cctx.channel().eventLoop();
    this.route = route;
    this.request = request;
    this.clientKeepAlive = clientKeepAlive;
    this.http10 = http10;
    this.headRequest = "HEAD".equals(request.method().name());
  }

  /** Whether requests with this method go through the cache (the others bypass it entirely). */
  static boolean handles(String method) {
    return "GET".equals(method) || "HEAD".equals(method);
  }

  void start() {
    CompletionStage<EdgeResult> stage;
    inGet = true;
    try {
      stage = route.cache.get(toEdgeRequest(request), this::fetch);
    } catch (RuntimeException e) {
      // A throwing key function or similar misconfiguration: this request fails, nothing else.
      respondError(500, "cache_error", "-", 0);
      return;
    } finally {
      inGet = false;
    }
    CompletableFuture<EdgeResult> f = stage.toCompletableFuture();
    if (f.isDone() && fetch != null) {
      // Answered at once (a hit, or stale while revalidating): the fetch this call started is
      // a background revalidation that must not stream to this client.
      fetch.detach();
      fetch = null;
    }
    f.whenComplete(this::onResult);
  }

  private static EdgeRequest toEdgeRequest(HttpRequest request) {
    EdgeHeaders.Builder b = EdgeHeaders.builder();
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it =
            request.headers().iteratorCharSequence();
        it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      b.add(e.getKey().toString(), e.getValue().toString());
    }
    return new EdgeRequest(request.method().name(), request.uri(), b.build());
  }

  /**
   * This request's origin. Called by the cache on this loop from inside {@link #start} (then the
   * fetch starts at once), or later from whichever thread completed an earlier fetch (a waiter that
   * must fetch for itself): then the fetch starts in a task on this loop, never nested in another
   * connection's callbacks.
   */
  private CompletionStage<io.dsblocks.cache.edge.EdgeResponse> fetch(EdgeRequest originRequest) {
    int maxBytes = route.cache.config().maxObjectBytes();
    if (inGet) {
      BackendFetch f = new BackendFetch(rt, route, loop, originRequest, maxBytes, this);
      fetch = f;
      f.start(handler.pickContext());
      return f.result;
    }
    CompletableFuture<EdgeResponse> answer = new CompletableFuture<>();
    loop.execute(
        () -> {
          BackendFetch f =
              new BackendFetch(rt, route, loop, originRequest, maxBytes, done ? null : this);
          fetch = f;
          f.result.whenComplete(
              (r, e) -> {
                if (e != null) {
                  answer.completeExceptionally(e);
                } else {
                  answer.complete(r);
                }
              });
          f.start(handler.pickContext());
        });
    return answer;
  }

  private void onResult(EdgeResult result, Throwable error) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> onResult(result, error));
      return;
    }
    if (done || streamingFetch != null) {
      return; // the client left, or the fetch streams the response itself
    }
    if (error != null) {
      Throwable cause = error instanceof CompletionException ? error.getCause() : error;
      if (cause instanceof OriginException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof BackendFetch.FetchFailure) {
        BackendFetch.FetchFailure ff = (BackendFetch.FetchFailure) cause;
        respondError(ff.status, ff.reason, ff.backendId, ff.attempts);
      } else {
        respondError(502, "cache_error", backendId(), attempts());
      }
      return;
    }
    EdgeResponse response = result.response();
    if (response.headers().contains(BackendFetch.STREAMED)) {
      // Cannot happen: only the fetch that streamed produces this, and it finished the exchange.
      respondError(502, "cache_error", backendId(), attempts());
      return;
    }
    write(response, result.status());
  }

  private String backendId() {
    return fetch == null ? "-" : fetch.backendId();
  }

  private int attempts() {
    return fetch == null ? 0 : fetch.attempts();
  }

  private void write(EdgeResponse response, EdgeResult.Status cacheStatus) {
    int code = response.status();
    boolean bodyless = headRequest || code == 204 || code == 304;
    int length = response.bodyLength();
    ByteBuf content =
        bodyless || length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body());
    FullHttpResponse out =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), content);
    HttpHeaders h = out.headers();
    EdgeHeaders eh = response.headers();
    boolean restoreCacheControl =
        cacheStatus == EdgeResult.Status.PASS && fetch != null && fetch.addedNoStore();
    for (String name : eh.names()) {
      List<String> values = eh.all(name);
      if (restoreCacheControl && name.equals("cache-control")) {
        values = withoutLastNoStore(values); // our own addition, see BackendFetch
      }
      for (int i = 0; i < values.size(); i++) {
        h.add(name, values.get(i));
      }
    }
    h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (!bodyless) {
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
    }
    h.set(X_CACHE, cacheStatus.name());
    boolean close = !clientKeepAlive || rt.draining();
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    long bytes = bodyless ? 0 : length;
    rt.counters.bytesToClients.add(bytes);
    done = true;
    ChannelFuture w = cctx.writeAndFlush(out);
    exchange.endCached(
        code,
        "cache_" + cacheStatus.name().toLowerCase(java.util.Locale.ROOT),
        backendId(),
        attempts(),
        bytes,
        close,
        w);
  }

  private static List<String> withoutLastNoStore(List<String> values) {
    List<String> copy = new ArrayList<>(values);
    for (int i = copy.size() - 1; i >= 0; i--) {
      if (copy.get(i).equals("no-store")) {
        copy.remove(i);
        break;
      }
    }
    return copy;
  }

  private void respondError(int code, String why, String backend, int tries) {
    done = true;
    rt.counters.localResponses.increment();
    rt.config.listener().onLocalResponse(code, why);
    boolean close = !clientKeepAlive || rt.draining();
    HttpResponse r = LocalResponses.create(cctx.alloc(), code, null, Map.of(), close, headRequest);
    if (http10 && !close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ChannelFuture w = cctx.writeAndFlush(r);
    exchange.endCached(code, why, backend, tries, 0, close, w);
  }

  // ---------------------------------------------------------------- streaming (oversized bodies)

  /** Whether the client still waits, so an oversized response can be streamed to it. */
  boolean canStream() {
    return !done && cctx.channel().isActive();
  }

  /** The fetch's response is too large to cache: its head goes to the client now. */
  void streamHead(HttpResponse head, BackendFetch from) {
    streamingFetch = from;
    streamStatus = head.status().code();
    HttpHeaders h = head.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(head);
    boolean delimited = chunked || h.contains(HttpHeaderNames.CONTENT_LENGTH);
    closeClient = !clientKeepAlive || rt.draining();
    if (!delimited) {
      // Delimited by the backend closing: chunked for HTTP/1.1 clients, close for HTTP/1.0.
      if (http10) {
        closeClient = true;
      } else {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    } else if (http10 && chunked) {
      h.remove(HttpHeaderNames.TRANSFER_ENCODING);
      closeClient = true;
    }
    if (closeClient) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    h.set(X_CACHE, PASS);
    cctx.write(head);
  }

  /**
   * A part of the streamed body (ownership passes to the client channel).
   *
   * @return whether the client can take more now
   */
  boolean streamContent(HttpContent content, boolean last) {
    int n = content.content().readableBytes();
    streamedBytes += n;
    rt.counters.bytesToClients.add(n);
    if (last) {
      ChannelFuture w = cctx.writeAndFlush(content);
      done = true;
      BackendFetch f = streamingFetch;
      exchange.endCached(
          streamStatus,
          "cache_pass_streamed",
          f.backendId(),
          f.attempts(),
          streamedBytes,
          closeClient,
          w);
      return true;
    }
    cctx.write(content);
    return cctx.channel().isWritable();
  }

  void flush() {
    cctx.flush();
  }

  /** The backend failed mid-stream: the client gets a cut response (its connection closes). */
  void streamAborted(String why) {
    if (done) {
      return;
    }
    done = true;
    cctx.flush();
    BackendFetch f = streamingFetch;
    exchange.endCached(streamStatus, why, f.backendId(), f.attempts(), streamedBytes, true, null);
  }

  /** Whether an oversized response is being streamed (then client idleness matters). */
  boolean streaming() {
    return streamingFetch != null && !done;
  }

  void onClientWritabilityChanged() {
    if (streamingFetch != null && cctx.channel().isWritable()) {
      streamingFetch.resumeReading();
    }
  }

  /** The exchange was aborted (client closed or idle): stop any stream, let fills finish. */
  void onAbort() {
    done = true;
    if (streamingFetch != null) {
      streamingFetch.cancel();
    } else if (fetch != null) {
      fetch.detach(); // other requests may wait for this fill; it just must not stream here
    }
  }
}
