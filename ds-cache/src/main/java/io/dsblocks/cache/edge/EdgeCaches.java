package io.dsblocks.cache.edge;

import io.dsblocks.cache.internal.edge.DefaultEdgeCache;
import java.util.Objects;

/**
 * Factories for {@link EdgeCache}.
 *
 * <p>Thread-safety: stateless, thread-safe.
 */
public final class EdgeCaches {

  private EdgeCaches() {}

  /**
   * Creates an edge cache from a configuration.
   *
   * @param config the configuration
   * @return a new cache
   */
  public static EdgeCache create(EdgeCacheConfig config) {
    return new DefaultEdgeCache(Objects.requireNonNull(config, "config"));
  }

  /**
   * Creates a pull-mode cache in front of an origin, bounded to {@code maximumBytes}, with the
   * other defaults of {@link EdgeCacheConfig#builder()}.
   *
   * @param origin the origin
   * @param maximumBytes the bound on stored bytes, at least the default object limit (1 MiB)
   * @return a new cache
   */
  public static EdgeCache pull(Origin origin, long maximumBytes) {
    Objects.requireNonNull(origin, "origin");
    return create(EdgeCacheConfig.builder().origin(origin).maximumBytes(maximumBytes).build());
  }

  /**
   * Creates a push-only cache bounded to {@code maximumBytes}.
   *
   * @param maximumBytes the bound on stored bytes, at least the default object limit (1 MiB)
   * @return a new cache
   */
  public static EdgeCache push(long maximumBytes) {
    return create(EdgeCacheConfig.builder().maximumBytes(maximumBytes).build());
  }
}
