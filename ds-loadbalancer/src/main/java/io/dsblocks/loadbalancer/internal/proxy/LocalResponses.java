package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Builds the responses the proxy sends itself (errors, limits, filter answers): a short text body,
 * {@code Content-Length}, {@code Connection: close} when the connection ends after it.
 *
 * <p>Stateless and thread-safe.
 */
final class LocalResponses {
  private LocalResponses() {}

  static FullHttpResponse create(
      ByteBufAllocator alloc,
      int status,
      String body,
      Map<String, String> extraHeaders,
      boolean close,
      boolean headRequest) {
    HttpResponseStatus s = HttpResponseStatus.valueOf(status);
    String text = body != null && !body.isEmpty() ? body : s.code() + " " + s.reasonPhrase() + "\n";
    ByteBuf content = alloc.buffer(text.length());
    content.writeCharSequence(text, StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, content);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    extraHeaders.forEach(r.headers()::set);
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (headRequest) {
      // A HEAD response carries the length of the body it would have had, but no body.
      content.clear();
    }
    return r;
  }
}
