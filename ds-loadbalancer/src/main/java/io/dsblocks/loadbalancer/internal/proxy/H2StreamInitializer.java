package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;

/**
 * Builds the pipeline of one HTTP/2 stream (a child channel of {@code Http2MultiplexHandler}) so
 * that it ends in the same handlers as an HTTP/1.1 connection, and therefore gets the same
 * validation, routing, auth, filters, limits, retries, forwarding headers, trace propagation and
 * access log:
 *
 * <pre>
 *   h2-codec      Http2StreamFrameToHttpObjectCodec: frames to HTTP objects and back
 *   h2-adapter    {@link H2RequestAdapter}: one head plus content, no extension headers
 *   head-timeout  {@link RequestHeadTimeoutHandler} (the proxy handler needs it; the head is the
 *                 stream's first frame, so it only bounds an unused stream by the idle timeout)
 *   idle          {@link IdleTimeoutHandler}: a stalled body or response is cut like on HTTP/1.1
 *   flow          FlowControlHandler: one message per read()
 *   validator     {@link HttpRequestValidator}
 *   proxy         {@link HttpProxyHandler}
 * </pre>
 *
 * <p>Stream channels do not auto-read: the proxy handler asks for each frame, and a stream's
 * receive window is only replenished when it reads, so a slow backend slows that client stream
 * (HTTP/2 flow control) without buffering and without holding up the connection's other streams.
 *
 * <p>Thread-safe (sharable): it holds only shared, thread-safe state.
 */
@Sharable
final class H2StreamInitializer extends ChannelInitializer<Channel> {
  private final HttpProxyRuntime rt;
  private final Http2StreamFrameToHttpObjectCodec codec =
      new Http2StreamFrameToHttpObjectCodec(true, true);

  H2StreamInitializer(HttpProxyRuntime rt) {
    this.rt = rt;
  }

  @Override
  protected void initChannel(Channel ch) {
    ProxyConfig c = rt.config;
    ch.config().setAutoRead(false);
    ch.pipeline()
        .addLast("h2-codec", codec)
        .addLast("h2-adapter", new H2RequestAdapter(c.maxInitialLineLength()))
        .addLast(
            "head-timeout",
            new RequestHeadTimeoutHandler(c.headerReadTimeout().toNanos(), rt.idleNanos))
        .addLast("idle", new IdleTimeoutHandler(rt.idleNanos))
        .addLast("flow", new FlowControlHandler())
        .addLast("validator", new HttpRequestValidator(c.maxBodySize(), c.allowedMethods()))
        .addLast("proxy", new HttpProxyHandler(rt));
  }
}
