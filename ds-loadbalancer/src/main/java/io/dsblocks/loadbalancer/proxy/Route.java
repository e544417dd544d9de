package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.cache.edge.EdgeCache;
import io.dsblocks.loadbalancer.auth.AuthPolicy;
import io.dsblocks.loadbalancer.internal.proxy.Checks;
import io.dsblocks.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Sends matching HTTP requests to a {@link BackendPool}. A route matches when the request's host is
 * one of its hosts (any host if none are given; {@code *.example.com} matches every subdomain), its
 * path starts with the route's path prefix, and every header condition holds (exact value, header
 * name case-insensitive). An {@link L7Proxy} tries routes in the order given and uses the first
 * that matches; a request no route matches gets 404.
 *
 * <pre>{@code
 * Route api = Route.builder("api")
 *     .host("api.example.com")
 *     .pathPrefix("/v1/")
 *     .toPool("api-servers")
 *     .rateLimiter(RateLimiters.tokenBucket(1_000, Duration.ofSeconds(1)))  // 429 + Retry-After
 *     .build();
 * Route canary = Route.builder("canary").header("x-canary", "1").toPool("canary").build();
 * Route rest = Route.all("default", "web");
 * Route admin = Route.builder("admin").pathPrefix("/admin/").toPool("admin")
 *     .auth(AuthPolicy.builder().anyOf(jwt).requireAnyRole("admin").build())  // 401 / 403
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe (the rate limiter and filters it holds are thread-safe by their
 * contracts).
 */
public final class Route {
  private final String name;
  private final Set<String> hosts;
  private final String pathPrefix;
  private final Map<String, String> headers;
  private final String pool;
  private final RateLimiter rateLimiter;
  private final List<HttpFilter> filters;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final AuthPolicy auth;
  private final EdgeCache cache;

  private Route(Builder b) {
    this.name = b.name;
    this.hosts = Set.copyOf(b.hosts);
    this.pathPrefix = b.pathPrefix;
    this.headers = Map.copyOf(b.headers);
    this.pool = b.pool;
    this.rateLimiter = b.rateLimiter;
    this.filters = List.copyOf(b.filters);
    this.requestTimeout = b.requestTimeout;
    this.maxRetries = b.maxRetries;
    this.auth = b.auth;
    this.cache = b.cache;
  }

  /**
   * A route that matches every request and sends it to one pool.
   *
   * @param name the route name
   * @param pool the backend pool's name
   * @return the route
   * @throws IllegalArgumentException if a name is blank
   * @throws NullPointerException if a name is null
   */
  public static Route all(String name, String pool) {
    return builder(name).toPool(pool).build();
  }

  /**
   * A builder for a route.
   *
   * @param name the route name (used in access logs and errors), not blank
   * @return a new builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * The name.
   *
   * @return the route's name
   */
  public String name() {
    return name;
  }

  /**
   * The hosts matched, lower case; empty means any host.
   *
   * @return an immutable set
   */
  public Set<String> hosts() {
    return hosts;
  }

  /**
   * The path prefix matched.
   *
   * @return the prefix, {@code "/"} by default
   */
  public String pathPrefix() {
    return pathPrefix;
  }

  /**
   * Header conditions, names in lower case.
   *
   * @return an immutable map from header name to required value
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * The target pool's name.
   *
   * @return the name
   */
  public String pool() {
    return pool;
  }

  /**
   * The route's rate limiter.
   *
   * @return the limiter, or empty for no limit
   */
  public Optional<RateLimiter> rateLimiter() {
    return Optional.ofNullable(rateLimiter);
  }

  /**
   * Filters run for this route after the global ones.
   *
   * @return an immutable list
   */
  public List<HttpFilter> filters() {
    return filters;
  }

  /**
   * The route's request timeout, overriding {@link ProxyConfig#requestTimeout()}.
   *
   * @return the timeout, or empty to use the proxy's
   */
  public Optional<Duration> requestTimeout() {
    return Optional.ofNullable(requestTimeout);
  }

  /**
   * The route's retry limit, overriding {@link ProxyConfig#maxRetries()}.
   *
   * @return the limit, or -1 to use the proxy's
   */
  public int maxRetries() {
    return maxRetries;
  }

  /**
   * The route's authentication and authorization policy, evaluated after the route is chosen (and
   * after the proxy-wide {@link ProxyConfig#auth()} rules, if any), before the route's filters and
   * rate limiter.
   *
   * @return the policy, or empty for none
   */
  public Optional<AuthPolicy> auth() {
    return Optional.ofNullable(auth);
  }

  /**
   * The route's response cache.
   *
   * @return the edge cache, or empty when the route does not cache
   */
  public Optional<EdgeCache> cache() {
    return Optional.ofNullable(cache);
  }

  /**
   * Whether the route matches a request.
   *
   * @param host the request's host, lower case, without port (empty if absent)
   * @param path the request's path
   * @param headerLookup returns a request header's first value by lower-case name, or null
   * @return true if every condition holds
   */
  public boolean matches(String host, String path, Function<String, String> headerLookup) {
    if (!path.startsWith(pathPrefix)) {
      return false;
    }
    if (!hosts.isEmpty() && !hostMatches(host)) {
      return false;
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (!e.getValue().equals(headerLookup.apply(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private boolean hostMatches(String host) {
    if (hosts.contains(host)) {
      return true;
    }
    int dot = host.indexOf('.');
    // "*.example.com" matches "a.example.com" (one or more labels), never "example.com" itself.
    while (dot >= 0) {
      if (hosts.contains("*" + host.substring(dot))) {
        return true;
      }
      dot = host.indexOf('.', dot + 1);
    }
    return false;
  }

  @Override
  public String toString() {
    return "Route{"
        + name
        + " hosts="
        + hosts
        + " prefix="
        + pathPrefix
        + " headers="
        + headers
        + " -> "
        + pool
        + '}';
  }

  /** Builds a {@link Route}; validated by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Set<String> hosts = new LinkedHashSet<>();
    private String pathPrefix = "/";
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String pool;
    private RateLimiter rateLimiter;
    private final List<HttpFilter> filters = new ArrayList<>();
    private Duration requestTimeout;
    private int maxRetries = -1;
    private AuthPolicy auth;
    private EdgeCache cache;

    private Builder(String name) {
      this.name = Checks.notBlank("route name", name);
    }

    /**
     * Adds a host to match (case-insensitive, without port); {@code *.example.com} matches any
     * subdomain. Without hosts the route matches any host.
     *
     * @param host the host name
     * @return this builder
     */
    public Builder host(String host) {
      String h = Checks.notBlank("route '" + name + "' host", host).toLowerCase(Locale.ROOT);
      if (h.indexOf('*') >= 0 && !(h.startsWith("*.") && h.indexOf('*', 1) < 0 && h.length() > 2)) {
        throw new IllegalArgumentException(
            "route '"
                + name
                + "' host must be a name or '*.' followed by a domain, was '"
                + host
                + "'");
      }
      hosts.add(h);
      return this;
    }

    /**
     * The path prefix to match (default {@code "/"}, every path).
     *
     * @param prefix a prefix starting with {@code /}
     * @return this builder
     */
    public Builder pathPrefix(String prefix) {
      Objects.requireNonNull(prefix, "route '" + name + "' pathPrefix must not be null");
      if (!prefix.startsWith("/")) {
        throw new IllegalArgumentException(
            "route '" + name + "' pathPrefix must start with '/', was '" + prefix + "'");
      }
      this.pathPrefix = prefix;
      return this;
    }

    /**
     * Adds a header condition: the request's first value of the header must equal {@code value}.
     *
     * @param headerName the header name (case-insensitive)
     * @param value the exact value required
     * @return this builder
     */
    public Builder header(String headerName, String value) {
      headers.put(
          Checks.notBlank("route '" + name + "' header name", headerName).toLowerCase(Locale.ROOT),
          Objects.requireNonNull(value, "route '" + name + "' header value must not be null"));
      return this;
    }

    /**
     * The backend pool requests go to (required).
     *
     * @param poolName the name of a {@link BackendPool} of the same {@link ProxyConfig}
     * @return this builder
     */
    public Builder toPool(String poolName) {
      this.pool = Checks.notBlank("route '" + name + "' pool", poolName);
      return this;
    }

    /**
     * Limits the route's request rate: a request that finds no permit gets 429 with a {@code
     * Retry-After} header (whole seconds until a permit is available, at least 1).
     *
     * @param limiter a ds-ratelimit limiter, shared by all connections
     * @return this builder
     */
    public Builder rateLimiter(RateLimiter limiter) {
      this.rateLimiter =
          Objects.requireNonNull(limiter, "route '" + name + "' rateLimiter must not be null");
      return this;
    }

    /**
     * Adds a filter run for this route's requests, after the proxy's global filters.
     *
     * @param filter the filter
     * @return this builder
     */
    public Builder filter(HttpFilter filter) {
      filters.add(Objects.requireNonNull(filter, "route '" + name + "' filter must not be null"));
      return this;
    }

    /**
     * Overrides the proxy's request timeout for this route.
     *
     * @param timeout 1 ms to 1 hour
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout =
          Checks.range(
              "route '" + name + "' requestTimeout",
              timeout,
              Duration.ofMillis(1),
              Duration.ofHours(1));
      return this;
    }

    /**
     * Overrides the proxy's retry limit for this route.
     *
     * @param retries 0 (never retry) to 10
     * @return this builder
     */
    public Builder maxRetries(int retries) {
      this.maxRetries = Checks.range("route '" + name + "' maxRetries", retries, 0, 10);
      return this;
    }

    /**
     * Requires every request of this route to pass an authentication and authorization policy. A
     * denied request is answered with the policy's status (401 with {@code WWW-Authenticate}, or
     * 403) and a one-line reason, counted in {@link ProxyStats#authDenied()}, logged with reason
     * {@code auth_denied}, and never forwarded. The policy sees the method, the normalized path,
     * the host, the headers and the client's verified TLS certificate chain (mutual TLS).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder auth(AuthPolicy policy) {
      this.auth = Objects.requireNonNull(policy, "route '" + name + "' auth must not be null");
      return this;
    }

    /**
     * Caches this route's responses in a ds-cache {@link EdgeCache} (RFC 9111 shared-cache rules).
     * Body-less GET and HEAD requests are answered from it when it holds a fresh (or servable
     * stale) response, marked {@code X-Cache: HIT|MISS|STALE|REVALIDATED|PASS} and {@code Age}; its
     * misses and revalidations go to this route's pool like any request (balancing, pooled
     * connections, breakers, timeouts, retries), and concurrent misses for one key share one
     * backend request. Responses larger than the cache's {@link
     * io.dsblocks.cache.edge.EdgeCacheConfig#maxObjectBytes()} are streamed through and not stored;
     * responses carrying {@code Set-Cookie} are never stored. Other methods bypass the cache.
     * Filters and the rate limiter run before the cache, so a hit is still authorised and counted.
     *
     * <p>The proxy passes its own origin on every call ({@link EdgeCache#get(
     * io.dsblocks.cache.edge.EdgeRequest, io.dsblocks.cache.edge.Origin)}), so build the cache
     * without one. Its cache key is the key function applied to a request whose {@code uri} is the
     * request target as received (path and query) and whose headers are the request's, with {@code
     * host}; the default key is the path and query alone, so a route serving several hosts should
     * use e.g. {@code keyFunction(r -> r.headers().first("host") + r.uri())}. One cache may serve
     * several routes only if they share content (the same pool).
     *
     * @param edgeCache the cache
     * @return this builder
     */
    public Builder cache(EdgeCache edgeCache) {
      this.cache = Objects.requireNonNull(edgeCache, "route '" + name + "' cache must not be null");
      return this;
    }

    /**
     * Builds the route.
     *
     * @return the immutable route
     * @throws IllegalArgumentException if no pool was set
     */
    public Route build() {
      if (pool == null) {
        throw new IllegalArgumentException("route '" + name + "' needs a pool (toPool)");
      }
      return new Route(this);
    }
  }
}
