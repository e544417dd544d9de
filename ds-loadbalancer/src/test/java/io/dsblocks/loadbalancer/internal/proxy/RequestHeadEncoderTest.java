package io.dsblocks.loadbalancer.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The backend request head encoder must write exactly what Netty's {@code HttpRequestEncoder}
 * writes for the same body-less request (so the shortcut changes no byte on the wire), decline the
 * requests the encoder rewrites, and its channel handler must pass encoded heads through without
 * disturbing requests with bodies that still go through Netty's encoding. Every buffer is checked
 * to be released.
 */
class RequestHeadEncoderTest {

  private static HttpRequest request(HttpMethod method, String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
  }

  /** What Netty's encoder makes of the request with an empty body. */
  private static String nettyBytes(HttpRequest r) {
    EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestEncoder());
    ch.writeOutbound(
        new DefaultFullHttpRequest(
            r.protocolVersion(),
            r.method(),
            r.uri(),
            Unpooled.EMPTY_BUFFER,
            r.headers(),
            EmptyHttpHeaders.INSTANCE));
    StringBuilder sb = new StringBuilder();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      sb.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    ch.finishAndReleaseAll();
    return sb.toString();
  }

  private static String ourBytes(HttpRequest r) {
    RequestHeadEncoder.EncodedHead head = RequestHeadEncoder.encode(ByteBufAllocator.DEFAULT, r);
    assertThat(head).as("encoded").isNotNull();
    ByteBuf buf = head.content();
    // Sized exactly: the buffer cannot grow past the computed size, and all of it is used.
    assertThat(buf.readableBytes()).isEqualTo(buf.maxCapacity());
    String s = buf.toString(StandardCharsets.ISO_8859_1);
    assertThat(head.release()).isTrue();
    return s;
  }

  @Test
  void writesTheSameBytesAsNettysEncoder() {
    HttpRequest plain = request(HttpMethod.GET, "/");
    plain.headers().set(HttpHeaderNames.HOST, "127.0.0.1:8080");

    HttpRequest many = request(HttpMethod.GET, "/a/b?x=1&y=%20z#frag");
    many.headers()
        .add(HttpHeaderNames.HOST, "example.com")
        .add("x-forwarded-for", "10.0.0.1, 127.0.0.1")
        .add(ForwardedHeaders.X_FORWARDED_PROTO, AsciiString.cached("http")) // AsciiString value
        .add("Accept", "*/*")
        .add("X-Dup", "1")
        .add("X-Dup", "2")
        .add("X-Empty", "")
        .add(
            TraceContext.TRACEPARENT,
            new AsciiString(
                TraceContext.newTraceparent(java.util.concurrent.ThreadLocalRandom.current()),
                false))
        .add(HttpHeaderNames.VIA, "1.1 dsblocks");

    // obs-text in a value (decoded by Netty as one char per byte), a char above 0xFF.
    HttpRequest high = request(HttpMethod.DELETE, "/caf%C3%A9");
    high.headers().add(HttpHeaderNames.HOST, "h").add("x-latin", "caf\u00e9 \u0101");

    HttpRequest head = request(HttpMethod.HEAD, "/h");
    HttpRequest custom = request(HttpMethod.valueOf("PURGE"), "/cache/key");
    custom.headers().add(HttpHeaderNames.HOST, "h").add(HttpHeaderNames.CONTENT_LENGTH, "0");
    HttpRequest options = request(HttpMethod.OPTIONS, "*");

    // Heads larger than the per-thread scratch array (1 KiB, grows to 64 KiB) and than its limit.
    HttpRequest large = request(HttpMethod.GET, "/large");
    large.headers().add("x-big", "v".repeat(3000));
    HttpRequest huge = request(HttpMethod.GET, "/huge");
    huge.headers().add("x-huge", "w".repeat(70_000)).add("x-after", "1");

    for (HttpRequest r :
        new HttpRequest[] {plain, many, high, head, custom, options, large, huge, plain}) {
      assertThat(ourBytes(r)).as(r.method() + " " + r.uri()).isEqualTo(nettyBytes(r));
    }
    assertThat(ourBytes(plain)).isEqualTo("GET / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n");
  }

  @Test
  void declinesWhatTheEncoderRewritesOrAnotherVersion() {
    assertThat(RequestHeadEncoder.encode(ByteBufAllocator.DEFAULT, request(HttpMethod.GET, "")))
        .isNull();
    assertThat(
            RequestHeadEncoder.encode(
                ByteBufAllocator.DEFAULT, request(HttpMethod.GET, "http://example.com")))
        .isNull();
    assertThat(
            RequestHeadEncoder.encode(
                ByteBufAllocator.DEFAULT, request(HttpMethod.GET, "http://example.com?q")))
        .isNull();
    assertThat(
            RequestHeadEncoder.encode(
                ByteBufAllocator.DEFAULT,
                new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/")))
        .isNull();
    assertThat(
            RequestHeadEncoder.encode(
                ByteBufAllocator.DEFAULT, request(HttpMethod.GET, "/caf\u00e9/\u20ac")))
        .as("non-ASCII target: the encoder writes it as UTF-8")
        .isNull();
    // A path that merely contains "://" further on is origin-form and is encoded.
    HttpRequest r = request(HttpMethod.GET, "/redirect?to=http://x/");
    assertThat(ourBytes(r)).isEqualTo(nettyBytes(r));
  }

  @Test
  void channelEncoderPassesHeadsThroughAndStillEncodesBodies() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestHeadEncoder.Encoder());
    HttpRequest first = request(HttpMethod.GET, "/one");
    first.headers().add(HttpHeaderNames.HOST, "h");
    RequestHeadEncoder.EncodedHead head =
        RequestHeadEncoder.encode(ByteBufAllocator.DEFAULT, first);
    ch.writeOutbound(head);
    ByteBuf out = ch.readOutbound();
    // The very buffer goes out (no copy), and the write hands its ownership on.
    assertThat(out).isSameAs(head.content());
    assertThat(out.toString(StandardCharsets.US_ASCII))
        .isEqualTo("GET /one HTTP/1.1\r\nhost: h\r\n\r\n");
    out.release();
    assertThat(head.refCnt()).isZero();

    // A chunked request with a body afterwards: Netty's encoding, chunk framing included.
    HttpRequest post = request(HttpMethod.POST, "/two");
    post.headers().add(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    ch.writeOutbound(
        post,
        new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)),
        new DefaultLastHttpContent());
    StringBuilder sb = new StringBuilder();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      sb.append(b.toString(StandardCharsets.US_ASCII));
      b.release();
    }
    assertThat(sb.toString())
        .isEqualTo("POST /two HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

    // And a head again after the body ended.
    RequestHeadEncoder.EncodedHead again = RequestHeadEncoder.encode(ch.alloc(), first);
    ch.writeOutbound(again);
    ByteBuf third = ch.readOutbound();
    assertThat(third.toString(StandardCharsets.US_ASCII)).startsWith("GET /one HTTP/1.1\r\n");
    third.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aHeadWrittenToAClosedChannelIsReleased() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestHeadEncoder.Encoder());
    ch.close();
    RequestHeadEncoder.EncodedHead head =
        RequestHeadEncoder.encode(ByteBufAllocator.DEFAULT, request(HttpMethod.GET, "/x"));
    ch.write(head, ch.voidPromise());
    assertThat(head.refCnt()).isZero();
  }
}
