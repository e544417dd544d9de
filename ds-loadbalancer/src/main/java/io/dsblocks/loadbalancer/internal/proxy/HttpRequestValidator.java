package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.Iterator;
import java.util.Set;

/**
 * Checks each request before the proxy sees it, and replaces a bad one by a {@link
 * RejectedRequest}: a request the decoder could not parse gets 400 (414 for a too long request
 * line, 431 for a too large header block); a method not allowed gets 405 with {@code Allow}; an
 * HTTP/1.1 request without exactly one {@code Host} gets 400; a transfer coding other than {@code
 * chunked} gets 400 (smuggling vectors), an unsupported {@code Expect} 417; a body announced larger
 * than the limit gets 413 at once, and a chunked body gets 413 when it crosses the limit. After a
 * rejection nothing more is passed on: the connection will be closed.
 *
 * <p>Bodies are counted, never buffered: content passes through as it arrives.
 *
 * <p>Not thread-safe: one instance per client channel, used on its event loop.
 */
final class HttpRequestValidator extends ChannelInboundHandlerAdapter {
  private final long maxBodySize;
  private final Set<String> allowedMethods;
  private final String allowHeader;
  private long bodyBytes;
  private String method = "-";
  private String uri = "-";
  private boolean rejected;

  HttpRequestValidator(long maxBodySize, Set<String> allowedMethods) {
    this.maxBodySize = maxBodySize;
    this.allowedMethods = allowedMethods;
    this.allowHeader = String.join(", ", new java.util.TreeSet<>(allowedMethods));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (rejected) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      HttpRequest req = (HttpRequest) msg;
      method = req.method().name();
      uri = req.uri();
      bodyBytes = 0;
      RejectedRequest r = checkHead(req);
      if (r != null) {
        reject(ctx, msg, r);
        return;
      }
    }
    if (msg instanceof HttpContent) {
      HttpContent c = (HttpContent) msg;
      if (c.decoderResult().isFailure()) {
        reject(ctx, msg, rejection(400, "bad_request"));
        return;
      }
      bodyBytes += c.content().readableBytes();
      if (bodyBytes > maxBodySize) {
        reject(ctx, msg, rejection(413, "body_too_large"));
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private RejectedRequest checkHead(HttpRequest req) {
    DecoderResult result = req.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      method = "-";
      uri = "-";
      if (cause instanceof TooLongHttpLineException) {
        return rejection(414, "uri_too_long");
      }
      if (cause instanceof TooLongHttpHeaderException) {
        return rejection(431, "header_too_large");
      }
      return rejection(400, "bad_request");
    }
    if (!allowedMethods.contains(method)) {
      return new RejectedRequest(405, "method_not_allowed", method, uri, "allow", allowHeader);
    }
    HttpHeaders h = req.headers();
    // Counted through a value iterator: the lists getAll builds are garbage on every request.
    int hosts = count(h, HttpHeaderNames.HOST);
    if (hosts > 1 || (req.protocolVersion().equals(HttpVersion.HTTP_1_1) && hosts == 0)) {
      return rejection(400, "bad_request");
    }
    if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      String coding = h.get(HttpHeaderNames.TRANSFER_ENCODING);
      if (count(h, HttpHeaderNames.TRANSFER_ENCODING) != 1
          || !coding.trim().equalsIgnoreCase("chunked")) {
        return rejection(400, "bad_request");
      }
    }
    String expect = req.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null && !expect.trim().equalsIgnoreCase("100-continue")) {
      return rejection(417, "expectation_failed");
    }
    if (HttpUtil.getContentLength(req, 0L) > maxBodySize) {
      return rejection(413, "body_too_large");
    }
    return null;
  }

  /** How many values the header has, stopping at two (all the checks above need). */
  private static int count(HttpHeaders h, CharSequence name) {
    Iterator<? extends CharSequence> it = h.valueCharSequenceIterator(name);
    int n = 0;
    while (n < 2 && it.hasNext()) {
      it.next();
      n++;
    }
    return n;
  }

  private RejectedRequest rejection(int status, String reason) {
    return new RejectedRequest(status, reason, method, uri, null, null);
  }

  private void reject(ChannelHandlerContext ctx, Object msg, RejectedRequest r) {
    ReferenceCountUtil.release(msg);
    rejected = true;
    ctx.fireChannelRead(r);
  }
}
