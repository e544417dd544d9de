package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * The headers of requests decoded from clients: Netty's default (names and values validated),
 * except that the names the proxy itself sets on every forwarded request ({@code X-Forwarded-*},
 * {@code Via}, {@code traceparent}, {@code Host}, {@code Transfer-Encoding}) are recognised by
 * identity and not validated again, byte by byte, on each {@code set}. They are constants known to
 * be valid tokens; every other name, above all every name a client sent, is validated as before.
 *
 * <p>Stateless and thread-safe.
 */
final class RequestHeadersFactory {
  private static final DefaultHeaders.NameValidator<CharSequence> DEFAULT =
      DefaultHttpHeadersFactory.headersFactory().getNameValidator();

  /** The factory for {@code HttpDecoderConfig.setHeadersFactory}. */
  static final HttpHeadersFactory INSTANCE =
      DefaultHttpHeadersFactory.headersFactory().withNameValidator(RequestHeadersFactory::validate);

  private RequestHeadersFactory() {}

  static void validate(CharSequence name) {
    if (name == ForwardedHeaders.X_FORWARDED_FOR
        || name == ForwardedHeaders.X_FORWARDED_PROTO
        || name == ForwardedHeaders.X_FORWARDED_HOST
        || name == HttpHeaderNames.VIA
        || name == TraceContext.TRACEPARENT
        || name == HttpHeaderNames.HOST
        || name == HttpHeaderNames.TRANSFER_ENCODING) {
      return;
    }
    DEFAULT.validateName(name);
  }
}
