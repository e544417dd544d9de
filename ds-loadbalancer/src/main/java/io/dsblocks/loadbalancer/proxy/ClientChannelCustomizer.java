package io.dsblocks.loadbalancer.proxy;

import io.netty.channel.Channel;

/**
 * A hook that runs on every accepted client connection before the proxy adds its own handlers, so
 * anything added with {@code pipeline().addLast(...)} sits first, next to the socket. This is where
 * TLS termination plugs in:
 *
 * <pre>{@code
 * ProxyConfig.builder()
 *     .clientChannelCustomizer(ch -> ch.pipeline().addLast("tls", sniHandlerFor(ch)))
 * }</pre>
 *
 * <p>The proxy treats a connection whose pipeline contains an {@code
 * io.netty.handler.ssl.SslHandler} as secure ({@code X-Forwarded-Proto: https}, and {@link
 * ProxyRequest#peerCertificates()} reads its session). An {@code SniHandler} replaces itself by an
 * {@code SslHandler} after the ClientHello, so it qualifies too.
 *
 * <p>Called concurrently on event-loop threads for different connections: implementations must be
 * thread-safe and fast. An exception closes that connection.
 */
@FunctionalInterface
public interface ClientChannelCustomizer {

  /**
   * Adds handlers to a new client connection's pipeline.
   *
   * @param clientChannel the accepted connection, not yet active
   * @throws Exception any error; the connection is closed
   */
  void customize(Channel clientChannel) throws Exception;
}
