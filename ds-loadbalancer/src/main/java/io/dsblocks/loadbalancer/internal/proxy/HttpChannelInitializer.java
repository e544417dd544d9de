package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.ClientChannelCustomizer;
import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.dsblocks.loadbalancer.tls.TlsContextProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;

/**
 * Builds the pipeline of an accepted client connection of the L7 proxy, one handler per concern:
 *
 * <pre>
 *   [customizer]                optional, first, next to the socket
 *   [tls, alpn]                 with TLS: SNI handler, then {@link TlsProtocolSelector}, which
 *                               after the handshake adds either the handlers below (HTTP/1.1)
 *                               or the HTTP/2 codec and stream multiplexer
 *   head-timeout                slowloris deadline on raw bytes ({@link RequestHeadTimeoutHandler})
 *   idle                        {@link IdleTimeoutHandler}: all-idle events for the proxy handler
 *   codec                       {@link ProxyServerCodec}: HttpServerCodec's work with line/header
 *                               limits and strict parsing, plus writes past its encoder for
 *                               responses forwarded raw
 *   flow                        FlowControlHandler: one message per read()
 *   validator                   limits, methods, framing ({@link HttpRequestValidator})
 *   proxy                       routing and forwarding ({@link HttpProxyHandler})
 * </pre>
 *
 * <p>Thread-safe (sharable): it holds only shared, thread-safe state.
 */
public final class HttpChannelInitializer extends ChannelInitializer<Channel> {
  private final HttpProxyRuntime rt;
  private final ConnectionTracker tracker;
  private final TlsContextProvider tls;
  private final H2StreamInitializer h2Streams;

  /**
   * Creates the initializer of a plain-text listener.
   *
   * @param rt the proxy's shared state
   * @param tracker admits connections up to the limit
   */
  public HttpChannelInitializer(HttpProxyRuntime rt, ConnectionTracker tracker) {
    this(rt, tracker, null);
  }

  /**
   * Creates the initializer.
   *
   * @param rt the proxy's shared state
   * @param tracker admits connections up to the limit
   * @param tls terminates TLS on every connection, or null for plain text
   */
  public HttpChannelInitializer(
      HttpProxyRuntime rt, ConnectionTracker tracker, TlsContextProvider tls) {
    this.rt = rt;
    this.tracker = tracker;
    this.tls = tls;
    this.h2Streams = tls != null ? new H2StreamInitializer(rt) : null;
  }

  @Override
  protected void initChannel(Channel ch) throws Exception {
    ProxyConfig c = rt.config;
    rt.counters.connectionsAccepted.increment();
    if (!tracker.tryAdmit(ch)) {
      rt.counters.connectionsRejected.increment();
      c.listener().onConnectionRejected(ch.remoteAddress());
      ch.close();
      return;
    }
    c.listener().onConnectionAccepted(ch.remoteAddress());
    ClientChannelCustomizer customizer = c.clientChannelCustomizer().orElse(null);
    if (customizer != null) {
      customizer.customize(ch);
    }
    if (tls != null) {
      ch.pipeline()
          .addLast("tls", tls.newHandler())
          .addLast("alpn", new TlsProtocolSelector(rt, h2Streams));
      return;
    }
    addHttp1Handlers(ch.pipeline(), rt);
  }

  /** Adds the HTTP/1.1 handlers at the end of a client connection's pipeline. */
  static void addHttp1Handlers(ChannelPipeline pipeline, HttpProxyRuntime rt) {
    ProxyConfig c = rt.config;
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(c.maxInitialLineLength())
            .setMaxHeaderSize(c.maxHeaderSize())
            .setMaxChunkSize(64 * 1024)
            .setHeadersFactory(RequestHeadersFactory.INSTANCE)
            // Lenient line parsing is a request-smuggling vector; a proxy must parse strictly.
            .setStrictLineParsing(true);
    pipeline
        .addLast(
            "head-timeout",
            new RequestHeadTimeoutHandler(c.headerReadTimeout().toNanos(), rt.idleNanos))
        .addLast("idle", new IdleTimeoutHandler(rt.idleNanos))
        .addLast("codec", new ProxyServerCodec(decoder))
        .addLast("flow", new FlowControlHandler())
        .addLast("validator", new HttpRequestValidator(c.maxBodySize(), c.allowedMethods()))
        .addLast("proxy", new HttpProxyHandler(rt));
  }
}
