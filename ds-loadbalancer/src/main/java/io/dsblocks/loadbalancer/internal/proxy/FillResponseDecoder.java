package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * The full response decoder of a backend connection, behind its {@link ResponseFramer}: it decodes
 * the responses the framer passes on (cache fills, HTTP/2 and HTTP/1.0 clients, and every response
 * the raw path does not handle). A response to a HEAD request has no body whatever its headers say;
 * the framer knows whether the request was a HEAD (the job {@code HttpClientCodec}'s
 * request/response pairing did before).
 *
 * <p>Not thread-safe: one instance per backend channel, used on its event loop.
 */
final class FillResponseDecoder extends HttpResponseDecoder {
  private final ResponseFramer framer;

  FillResponseDecoder(HttpDecoderConfig config, ResponseFramer framer) {
    super(config);
    this.framer = framer;
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    return framer.headRequest() || super.isContentAlwaysEmpty(msg);
  }
}
