package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.Picker;
import io.dsblocks.loadbalancer.proxy.BackendPool;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A {@link BackendPool} as the running proxy uses it: its index (for the per-event-loop connection
 * pools), its connect bootstrap and its circuit breakers, created on first use per endpoint id.
 *
 * <p>Thread-safe.
 */
final class PoolRuntime {
  final int index;
  final BackendPool pool;
  final Picker<? extends Endpoint> picker;
  final Bootstrap bootstrap;
  private final Function<? super Endpoint, CircuitBreaker> breakerFactory;
  private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  PoolRuntime(int index, BackendPool pool, Bootstrap template) {
    this.index = index;
    this.pool = pool;
    this.picker = pool.picker();
    this.bootstrap =
        template
            .clone()
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.max(1, Math.min(Integer.MAX_VALUE, pool.connectTimeout().toMillis())));
    this.breakerFactory = pool.circuitBreakers().orElse(null);
  }

  String name() {
    return pool.name();
  }

  /** The endpoint's breaker, created on first use; null when the pool has none. */
  CircuitBreaker breaker(Endpoint endpoint) {
    if (breakerFactory == null) {
      return null;
    }
    CircuitBreaker b = breakers.get(endpoint.id()); // no lambda allocation on the common path
    return b != null ? b : breakers.computeIfAbsent(endpoint.id(), id -> create(endpoint));
  }

  private CircuitBreaker create(Endpoint endpoint) {
    CircuitBreaker b = breakerFactory.apply(endpoint);
    if (b == null) {
      throw new IllegalStateException(
          "pool '" + pool.name() + "' circuitBreakers returned null for " + endpoint.id());
    }
    return b;
  }

  Optional<CircuitBreaker> existingBreaker(String endpointId) {
    return Optional.ofNullable(breakers.get(endpointId));
  }
}
