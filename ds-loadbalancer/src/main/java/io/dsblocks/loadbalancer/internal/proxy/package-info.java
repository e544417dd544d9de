/**
 * The proxy's Netty handlers and per-request machinery, one concern per class; not API. The flow of
 * an HTTP request: {@code HttpChannelInitializer} builds the client pipeline, {@code
 * HttpProxyHandler} runs one {@code Exchange} per request, {@code BackendHandler} feeds backend
 * responses back to it, {@code LoopConnectionPool} keeps idle backend connections per event loop.
 * TCP: {@code TcpFrontendHandler} connects, {@code TcpRelayHandler} relays within a {@code
 * TcpTunnel}.
 */
package io.dsblocks.loadbalancer.internal.proxy;
