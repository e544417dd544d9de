package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.ClientChannelCustomizer;
import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;

/**
 * Builds the pipeline of an accepted client connection of the L7 proxy, one handler per concern:
 *
 * <pre>
 *   [customizer: TLS]           optional, first, next to the socket
 *   head-timeout                slowloris deadline on raw bytes ({@link RequestHeadTimeoutHandler})
 *   idle                        {@link IdleTimeoutHandler}: all-idle events for the proxy handler
 *   codec                       HttpServerCodec with line/header limits, strict parsing
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

  /**
   * Creates the initializer.
   *
   * @param rt the proxy's shared state
   * @param tracker admits connections up to the limit
   */
  public HttpChannelInitializer(HttpProxyRuntime rt, ConnectionTracker tracker) {
    this.rt = rt;
    this.tracker = tracker;
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
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(c.maxInitialLineLength())
            .setMaxHeaderSize(c.maxHeaderSize())
            .setMaxChunkSize(64 * 1024)
            // Lenient line parsing is a request-smuggling vector; a proxy must parse strictly.
            .setStrictLineParsing(true);
    ch.pipeline()
        .addLast(
            "head-timeout",
            new RequestHeadTimeoutHandler(c.headerReadTimeout().toNanos(), rt.idleNanos))
        .addLast("idle", new IdleTimeoutHandler(rt.idleNanos))
        .addLast("codec", new HttpServerCodec(decoder))
        .addLast("flow", new FlowControlHandler())
        .addLast("validator", new HttpRequestValidator(c.maxBodySize(), c.allowedMethods()))
        .addLast("proxy", new HttpProxyHandler(rt));
  }
}
