package io.dsblocks.loadbalancer.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Client request headers skip name validation only for the proxy's own constant names, by identity:
 * any other name - an equal-looking copy, or what a client sent - is validated as before.
 */
class RequestHeadersFactoryTest {

  @Test
  void proxyConstantsAreAcceptedAndEverythingElseIsValidated() {
    HttpHeaders h = RequestHeadersFactory.INSTANCE.newHeaders();
    h.set(ForwardedHeaders.X_FORWARDED_FOR, "1.2.3.4")
        .set(ForwardedHeaders.X_FORWARDED_PROTO, "http")
        .set(ForwardedHeaders.X_FORWARDED_HOST, "h")
        .set(HttpHeaderNames.VIA, "1.1 x")
        .set(TraceContext.TRACEPARENT, "t")
        .set(HttpHeaderNames.HOST, "h")
        .set(HttpHeaderNames.TRANSFER_ENCODING, "chunked")
        .set("x-ok", "1");
    assertThat(h.size()).isEqualTo(8);
    assertThatThrownBy(() -> h.set("bad name", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.add(new AsciiString("x-forwarded-for:"), "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.set("", "v")).isInstanceOf(IllegalArgumentException.class);
    // Values are still validated for every name, the constants included.
    assertThatThrownBy(() -> h.set(HttpHeaderNames.VIA, "a\r\nb"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDecoderUsingItRejectsAnInvalidHeaderNameFromTheClient() {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new HttpRequestDecoder(
                new HttpDecoderConfig().setHeadersFactory(RequestHeadersFactory.INSTANCE)));
    ch.writeInbound(
        Unpooled.copiedBuffer(
            "GET / HTTP/1.1\r\nhost: h\r\nbad(name): v\r\n\r\n", StandardCharsets.US_ASCII));
    HttpRequest r = ch.readInbound();
    assertThat(r.decoderResult().isFailure()).isTrue();
    ReferenceCountUtil.release(r);
    for (Object o; (o = ch.readInbound()) != null; ) {
      ReferenceCountUtil.release(o);
    }
    ch.finishAndReleaseAll();
  }
}
