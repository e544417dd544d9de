package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.Picker;
import io.dsblocks.loadbalancer.internal.proxy.Checks;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker;
import io.dsblocks.ratelimit.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A named set of backends a {@link Route} sends requests to: a {@link Picker} (a {@code
 * LoadBalancer} or a pool of them) that chooses the endpoint per request, plus how to connect to
 * the endpoints and, optionally, one circuit breaker per endpoint.
 *
 * <pre>{@code
 * BackendPool api = BackendPool.builder("api", loadBalancer)
 *     .connectTimeout(Duration.ofMillis(500))
 *     .circuitBreaker(CircuitBreakerConfig.builder().failureRateThreshold(50).build())
 *     .build();
 * }</pre>
 *
 * <p>The proxy reports every attempt's outcome to the picker's {@link
 * io.dsblocks.loadbalancer.Selection} (status and latency of the response head, or a failure), so
 * outlier detection and latency-aware strategies see the proxy's traffic.
 *
 * <p>Immutable and thread-safe.
 */
public final class BackendPool {
  private final String name;
  private final Picker<? extends Endpoint> picker;
  private final Duration connectTimeout;
  private final int maxIdleConnectionsPerEndpoint;
  private final Function<? super Endpoint, CircuitBreaker> circuitBreakers;

  private BackendPool(Builder b) {
    this.name = b.name;
    this.picker = b.picker;
    this.connectTimeout = b.connectTimeout;
    this.maxIdleConnectionsPerEndpoint = b.maxIdleConnectionsPerEndpoint;
    this.circuitBreakers = b.circuitBreakers;
  }

  /**
   * A pool with default connect settings and no circuit breaker.
   *
   * @param name the pool's name, referenced by routes
   * @param picker chooses the endpoint for each request
   * @return the pool
   * @throws IllegalArgumentException if the name is blank
   * @throws NullPointerException if an argument is null
   */
  public static BackendPool of(String name, Picker<? extends Endpoint> picker) {
    return builder(name, picker).build();
  }

  /**
   * A builder.
   *
   * @param name the pool's name, referenced by routes, not blank
   * @param picker chooses the endpoint for each request
   * @return a new builder
   */
  public static Builder builder(String name, Picker<? extends Endpoint> picker) {
    return new Builder(name, picker);
  }

  /**
   * The name.
   *
   * @return the pool's name
   */
  public String name() {
    return name;
  }

  /**
   * The picker.
   *
   * @return the picker given at build time
   */
  public Picker<? extends Endpoint> picker() {
    return picker;
  }

  /**
   * How long a backend connect may take before the attempt fails (and is retried elsewhere).
   *
   * @return the timeout, 2 s by default
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * The most idle keep-alive connections kept per endpoint and per proxy I/O thread.
   *
   * @return the limit, 32 by default; 0 disables pooling (one connection per request)
   */
  public int maxIdleConnectionsPerEndpoint() {
    return maxIdleConnectionsPerEndpoint;
  }

  /**
   * Creates the circuit breaker of an endpoint, called once per endpoint id.
   *
   * @return the factory, or empty when the pool has no circuit breakers
   */
  public Optional<Function<? super Endpoint, CircuitBreaker>> circuitBreakers() {
    return Optional.ofNullable(circuitBreakers);
  }

  @Override
  public String toString() {
    return "BackendPool{" + name + " picker=" + picker.name() + '}';
  }

  /** Builds a {@link BackendPool}; validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Picker<? extends Endpoint> picker;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int maxIdleConnectionsPerEndpoint = 256;
    private Function<? super Endpoint, CircuitBreaker> circuitBreakers;

    private Builder(String name, Picker<? extends Endpoint> picker) {
      this.name = Checks.notBlank("pool name", name);
      this.picker = Objects.requireNonNull(picker, "pool '" + name + "' picker must not be null");
    }

    /**
     * The connect timeout (default 2 s).
     *
     * @param timeout 1 ms to 5 minutes
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout =
          Checks.range(
              "pool '" + name + "' connectTimeout",
              timeout,
              Duration.ofMillis(1),
              Duration.ofMinutes(5));
      return this;
    }

    /**
     * Idle keep-alive connections kept per endpoint and per I/O thread (default 256). Keep it at
     * least at the number of requests one endpoint has in flight at a peak: below that, every burst
     * ends with connections closed and the next one opens them again (a connect and a close per
     * request, and sockets piling up in TIME_WAIT).
     *
     * @param max 0 (no pooling) to 10,000
     * @return this builder
     */
    public Builder maxIdleConnectionsPerEndpoint(int max) {
      this.maxIdleConnectionsPerEndpoint =
          Checks.range("pool '" + name + "' maxIdleConnectionsPerEndpoint", max, 0, 10_000);
      return this;
    }

    /**
     * Gives every endpoint its own circuit breaker with this configuration, named {@code
     * pool/endpointId}. While an endpoint's breaker refuses, requests go to another endpoint; when
     * every candidate's breaker refuses, the request gets 503. Responses of status 500 and above,
     * connect failures, resets and timeouts count as failures.
     *
     * @param config the breaker configuration
     * @return this builder
     */
    public Builder circuitBreaker(CircuitBreakerConfig config) {
      Objects.requireNonNull(config, "pool '" + name + "' circuitBreaker config must not be null");
      String prefix = name + "/";
      this.circuitBreakers = e -> CircuitBreaker.of(prefix + e.id(), config);
      return this;
    }

    /**
     * Gives every endpoint the circuit breaker this factory creates (called once per endpoint id),
     * e.g. to share a ticker or register listeners.
     *
     * @param factory creates an endpoint's breaker
     * @return this builder
     */
    public Builder circuitBreakers(Function<? super Endpoint, CircuitBreaker> factory) {
      this.circuitBreakers =
          Objects.requireNonNull(factory, "pool '" + name + "' circuitBreakers must not be null");
      return this;
    }

    /**
     * Builds the pool.
     *
     * @return the immutable pool
     */
    public BackendPool build() {
      return new BackendPool(this);
    }
  }
}
