/**
 * An embeddable reverse proxy on Netty over this module's balancers: {@link
 * io.dsblocks.loadbalancer.proxy.L7Proxy} (HTTP/1.1: routes, pooled keep-alive backend connections,
 * streaming bodies, forwarding headers, validation, timeouts, retries within a budget, rate limits,
 * circuit breakers, filters, access log, trace context, graceful shutdown) and {@link
 * io.dsblocks.loadbalancer.proxy.L4Proxy} (TCP relay with back-pressure and half-close).
 *
 * <p>Entry points: {@link io.dsblocks.loadbalancer.proxy.ProxyConfig} with {@link
 * io.dsblocks.loadbalancer.proxy.Route} and {@link io.dsblocks.loadbalancer.proxy.BackendPool}, and
 * {@link io.dsblocks.loadbalancer.proxy.L4ProxyConfig}. Extension points: {@link
 * io.dsblocks.loadbalancer.proxy.HttpFilter} (authentication, authorization, header rewriting),
 * {@link io.dsblocks.loadbalancer.proxy.ClientChannelCustomizer} (TLS), {@link
 * io.dsblocks.loadbalancer.proxy.AccessLogSink} and {@link
 * io.dsblocks.loadbalancer.proxy.ProxyListener}.
 */
package io.dsblocks.loadbalancer.proxy;
