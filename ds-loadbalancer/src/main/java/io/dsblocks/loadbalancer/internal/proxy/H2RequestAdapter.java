package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits after Netty's {@code Http2StreamFrameToHttpObjectCodec} on an HTTP/2 stream channel and
 * makes the stream look like one HTTP/1.1 request to the rest of the pipeline, which is the same as
 * for HTTP/1.1 connections:
 *
 * <ul>
 *   <li>a request that arrived as one HEADERS frame with END_STREAM (a {@code FullHttpRequest}) is
 *       split into its head and an empty last content, because the proxy handler streams heads and
 *       bodies separately;
 *   <li>the codec's {@code x-http2-*} extension headers are removed (they must not reach backends,
 *       and a client could forge them);
 *   <li>the protocol version is set to {@code HTTP/2.0}, so {@code Via} and the access log say what
 *       the client spoke (the proxy still talks HTTP/1.1 to backends);
 *   <li>a {@code :path} longer than the request line limit is answered 414, as on HTTP/1.1;
 *   <li>frames the codec does not convert (e.g. RST_STREAM, which also closes the stream channel)
 *       are dropped.
 * </ul>
 *
 * <p>Not thread-safe: one instance per stream channel, used on its event loop.
 */
final class H2RequestAdapter extends ChannelInboundHandlerAdapter {
  /** HTTP/2 as an HTTP/1-style version: keep-alive by default (streams carry no Connection). */
  static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, true);

  private static final CharSequence[] EXTENSION_HEADERS = {
    ExtensionHeaderNames.STREAM_ID.text(),
    ExtensionHeaderNames.SCHEME.text(),
    ExtensionHeaderNames.PATH.text(),
    ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
    ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
    ExtensionHeaderNames.STREAM_WEIGHT.text()
  };

  private final int maxTargetLength;
  private boolean rejected;

  H2RequestAdapter(int maxTargetLength) {
    this.maxTargetLength = maxTargetLength;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (rejected) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      HttpRequest req = (HttpRequest) msg;
      if (req.decoderResult().isSuccess() && req.uri().length() > maxTargetLength) {
        ReferenceCountUtil.release(msg);
        rejected = true;
        ctx.fireChannelRead(
            new RejectedRequest(414, "uri_too_long", req.method().name(), "-", null, null));
        return;
      }
      HttpHeaders h = req.headers();
      for (CharSequence name : EXTENSION_HEADERS) {
        h.remove(name);
      }
      if (msg instanceof FullHttpRequest) {
        FullHttpRequest full = (FullHttpRequest) msg;
        // The content buffer moves to the last content; the full request itself is not released.
        ctx.fireChannelRead(new DefaultHttpRequest(HTTP_2, req.method(), req.uri(), h));
        DefaultLastHttpContent last = new DefaultLastHttpContent(full.content());
        last.trailingHeaders().set(full.trailingHeaders());
        ctx.fireChannelRead(last);
        return;
      }
      req.setProtocolVersion(HTTP_2);
      ctx.fireChannelRead(req);
      return;
    }
    if (msg instanceof HttpContent) {
      ctx.fireChannelRead(msg);
      return;
    }
    ReferenceCountUtil.release(msg);
  }
}
