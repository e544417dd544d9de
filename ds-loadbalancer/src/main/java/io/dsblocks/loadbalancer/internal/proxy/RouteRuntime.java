package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.cache.edge.EdgeCache;
import io.dsblocks.loadbalancer.auth.AuthPolicy;
import io.dsblocks.loadbalancer.proxy.HttpFilter;
import io.dsblocks.loadbalancer.proxy.Route;
import io.dsblocks.ratelimit.RateLimiter;
import java.util.List;

/**
 * A {@link Route} resolved against the running proxy: its pool, limiter, filters, auth policy and
 * effective timeout and retry limit, read without {@code Optional} allocations on the request path.
 *
 * <p>Immutable and thread-safe.
 */
final class RouteRuntime {
  final Route route;
  final String name;
  final PoolRuntime pool;
  final RateLimiter limiter;
  final List<HttpFilter> filters;
  final long requestTimeoutNanos;
  final int maxRetries;
  final AuthPolicy auth;

  /** The route's response cache, or null (the common case: one null check per request). */
  final EdgeCache cache;

  RouteRuntime(Route route, PoolRuntime pool, long defaultTimeoutNanos, int defaultRetries) {
    this.route = route;
    this.name = route.name();
    this.pool = pool;
    this.limiter = route.rateLimiter().orElse(null);
    this.filters = route.filters();
    this.requestTimeoutNanos =
        route.requestTimeout().map(d -> d.toNanos()).orElse(defaultTimeoutNanos);
    this.maxRetries = route.maxRetries() >= 0 ? route.maxRetries() : defaultRetries;
    this.auth = route.auth().orElse(null);
    this.cache = route.cache().orElse(null);
  }
}
