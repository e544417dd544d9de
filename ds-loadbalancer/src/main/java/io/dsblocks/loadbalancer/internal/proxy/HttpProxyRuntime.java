package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.auth.AuthRules;
import io.dsblocks.loadbalancer.proxy.BackendPool;
import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import io.dsblocks.loadbalancer.proxy.Route;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every connection of one {@link io.dsblocks.loadbalancer.proxy.L7Proxy} shares: the
 * configuration, routes, pools with their breakers and connect bootstraps, the per-event-loop
 * backend connection pools, counters, and the draining flag of a graceful shutdown.
 *
 * <p>Thread-safe: immutable except for the counters, the lazily created per-loop pools (each then
 * confined to its loop) and the volatile draining flag.
 */
public final class HttpProxyRuntime {
  final ProxyConfig config;
  final ProxyCounters counters;
  final List<RouteRuntime> routes;
  final long idleNanos;
  final String via11;
  final AuthRules authRules;

  /** Whether any auth is configured: then request targets are normalized before routing. */
  final boolean authEnabled;

  private final Map<String, PoolRuntime> pools;
  private final int poolCount;
  private final ConcurrentHashMap<EventLoop, LoopConnectionPool> loopPools =
      new ConcurrentHashMap<>();
  private volatile boolean draining;

  /**
   * Creates the runtime.
   *
   * @param config the configuration
   * @param transport the transport (for the backend channel class)
   * @param counters the counters
   */
  public HttpProxyRuntime(ProxyConfig config, Transport transport, ProxyCounters counters) {
    this.config = config;
    this.counters = counters;
    this.idleNanos = config.idleTimeout().toNanos();
    this.via11 = "1.1 " + config.viaName();
    Bootstrap template =
        new Bootstrap()
            .channel(transport.socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.AUTO_READ, true);
    Map<String, PoolRuntime> byName = new HashMap<>();
    int i = 0;
    for (BackendPool p : config.pools().values()) {
      byName.put(p.name(), new PoolRuntime(i++, p, template));
    }
    this.pools = Map.copyOf(byName);
    this.poolCount = i;
    List<RouteRuntime> rs = new ArrayList<>();
    for (Route r : config.routes()) {
      rs.add(
          new RouteRuntime(
              r, byName.get(r.pool()), config.requestTimeout().toNanos(), config.maxRetries()));
    }
    this.routes = List.copyOf(rs);
    this.authRules = config.auth().orElse(null);
    boolean anyAuth = authRules != null;
    for (RouteRuntime r : routes) {
      anyAuth |= r.auth != null;
    }
    this.authEnabled = anyAuth;
  }

  /** The first route matching the request, or null. */
  RouteRuntime match(ProxyRequestView request) {
    String host = request.host();
    String path = request.path();
    for (int i = 0; i < routes.size(); i++) {
      RouteRuntime r = routes.get(i);
      if (r.route.matches(host, path, request)) {
        return r;
      }
    }
    return null;
  }

  PoolRuntime pool(String name) {
    return pools.get(name);
  }

  /**
   * The circuit breaker of an endpoint, if one was created.
   *
   * @param pool the pool name
   * @param endpointId the endpoint id
   * @return the breaker, or empty if the pool has none or the endpoint was never used
   */
  public Optional<CircuitBreaker> breaker(String pool, String endpointId) {
    PoolRuntime p = pools.get(pool);
    return p == null ? Optional.empty() : p.existingBreaker(endpointId);
  }

  /**
   * Whether a graceful shutdown is under way.
   *
   * @return true while draining
   */
  public boolean draining() {
    return draining;
  }

  /** Starts draining: every connection closes after its current response. */
  public void startDraining() {
    draining = true;
  }

  LoopConnectionPool loopPool(EventLoop loop) {
    LoopConnectionPool p = loopPools.get(loop);
    return p != null ? p : loopPools.computeIfAbsent(loop, l -> new LoopConnectionPool(poolCount));
  }

  /** Connects a new backend connection on the given loop (the client's). */
  ChannelFuture connect(
      EventLoop loop, PoolRuntime pool, String endpointId, String host, int port) {
    LoopConnectionPool loopPool = loopPool(loop);
    return pool.bootstrap
        .clone(loop)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                HttpDecoderConfig decoder =
                    new HttpDecoderConfig()
                        .setMaxInitialLineLength(8192)
                        .setMaxHeaderSize(config.maxResponseHeaderSize())
                        .setMaxChunkSize(64 * 1024);
                // The framer takes the common responses on the raw path; the decoder behind it
                // gets everything else (ResponseFramer explains which).
                ResponseFramer framer = new ResponseFramer(config.maxResponseHeaderSize() + 8192);
                ch.pipeline()
                    .addLast("encoder", new RequestHeadEncoder.Encoder())
                    .addLast("framer", framer)
                    .addLast("decoder", new FillResponseDecoder(decoder, framer))
                    .addLast("idle", new IdleTimeoutHandler(idleNanos))
                    .addLast("backend", new BackendHandler(loopPool, pool, endpointId, framer));
              }
            })
        .connect(host, port);
  }

  /**
   * The backend pools' names (for diagnostics).
   *
   * @return the names
   */
  public List<String> poolNames() {
    return new ArrayList<>(pools.keySet());
  }
}
