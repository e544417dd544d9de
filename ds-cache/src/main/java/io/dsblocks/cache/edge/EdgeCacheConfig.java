package io.dsblocks.cache.edge;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Immutable configuration of an {@link EdgeCache}, built with {@link #builder()} and validated at
 * {@link Builder#build()}.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class EdgeCacheConfig {

  /** Largest accepted {@code maxObjectBytes}: 256 MiB (entries are weighed as an int). */
  public static final int MAX_OBJECT_BYTES_LIMIT = 256 * 1024 * 1024;

  /** Largest accepted {@code maxVariantsPerKey}. */
  public static final int MAX_VARIANTS_LIMIT = 64;

  /** Longest accepted {@code keepStale}. */
  public static final Duration MAX_KEEP_STALE = Duration.ofDays(365);

  private final String name;
  private final long maximumBytes;
  private final int maxObjectBytes;
  private final int maxVariantsPerKey;
  private final Duration keepStale;
  private final Origin origin;
  private final InstantSource clock;
  private final EdgeCacheListener listener;
  private final Function<EdgeRequest, String> keyFunction;
  private final List<String> tagHeaders;

  private EdgeCacheConfig(Builder b) {
    this.name = b.name;
    this.maximumBytes = b.maximumBytes;
    this.maxObjectBytes = b.maxObjectBytes;
    this.maxVariantsPerKey = b.maxVariantsPerKey;
    this.keepStale = b.keepStale;
    this.origin = b.origin;
    this.clock = b.clock;
    this.listener = b.listener;
    this.keyFunction = b.keyFunction;
    this.tagHeaders = List.copyOf(b.tagHeaders);
  }

  /**
   * Returns a builder with the defaults: 64 MiB total, 1 MiB per object, 8 variants per key, keep
   * stale entries with validators for 1 hour, system clock, no listener, key = request URI, tags
   * from {@code Surrogate-Key} and {@code Cache-Tag}, no origin (push-only).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the cache name (for metrics and messages).
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the bound on estimated stored bytes (bodies plus header and key estimates).
   *
   * @return bytes
   */
  public long maximumBytes() {
    return maximumBytes;
  }

  /**
   * Returns the largest body that is stored; larger responses are passed through.
   *
   * @return bytes
   */
  public int maxObjectBytes() {
    return maxObjectBytes;
  }

  /**
   * Returns how many {@code Vary} variants one key may hold (the oldest is dropped).
   *
   * @return the bound
   */
  public int maxVariantsPerKey() {
    return maxVariantsPerKey;
  }

  /**
   * Returns how long an entry that has a validator ({@code ETag} or {@code Last-Modified}) is kept
   * after it went stale and past its stale windows, so a later request can revalidate it cheaply
   * (Varnish calls this "keep").
   *
   * @return the duration, zero to drop entries as soon as they cannot be served stale
   */
  public Duration keepStale() {
    return keepStale;
  }

  /**
   * Returns the origin, or {@code null} for a push-only cache.
   *
   * @return the origin or null
   */
  public Origin origin() {
    return origin;
  }

  /**
   * Returns the clock.
   *
   * @return the clock
   */
  public InstantSource clock() {
    return clock;
  }

  /**
   * Returns the listener, or {@code null} when none.
   *
   * @return the listener or null
   */
  public EdgeCacheListener listener() {
    return listener;
  }

  /**
   * Returns the function mapping a request to its cache key (before {@code Vary}).
   *
   * @return the key function
   */
  public Function<EdgeRequest, String> keyFunction() {
    return keyFunction;
  }

  /**
   * Returns the response header fields read for purge tags (surrogate keys).
   *
   * @return field names
   */
  public List<String> tagHeaders() {
    return tagHeaders;
  }

  /**
   * Builder of {@link EdgeCacheConfig}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {
    private String name = "edge";
    private long maximumBytes = 64L * 1024 * 1024;
    private int maxObjectBytes = 1024 * 1024;
    private int maxVariantsPerKey = 8;
    private Duration keepStale = Duration.ofHours(1);
    private Origin origin;
    private InstantSource clock = InstantSource.system();
    private EdgeCacheListener listener;
    private Function<EdgeRequest, String> keyFunction = EdgeRequest::uri;
    private List<String> tagHeaders = List.of("Surrogate-Key", "Cache-Tag");

    private Builder() {}

    /**
     * Sets the name.
     *
     * @param name non-blank name
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the bound on stored bytes.
     *
     * @param maximumBytes at least 1
     * @return this builder
     */
    public Builder maximumBytes(long maximumBytes) {
      this.maximumBytes = maximumBytes;
      return this;
    }

    /**
     * Sets the largest stored body.
     *
     * @param maxObjectBytes in [0, min(maximumBytes, {@link #MAX_OBJECT_BYTES_LIMIT})]
     * @return this builder
     */
    public Builder maxObjectBytes(int maxObjectBytes) {
      this.maxObjectBytes = maxObjectBytes;
      return this;
    }

    /**
     * Sets how many variants one key may hold.
     *
     * @param maxVariantsPerKey in [1, {@link #MAX_VARIANTS_LIMIT}]
     * @return this builder
     */
    public Builder maxVariantsPerKey(int maxVariantsPerKey) {
      this.maxVariantsPerKey = maxVariantsPerKey;
      return this;
    }

    /**
     * Sets how long stale entries with validators are kept for revalidation.
     *
     * @param keepStale in [0, {@link #MAX_KEEP_STALE}]
     * @return this builder
     */
    public Builder keepStale(Duration keepStale) {
      this.keepStale = keepStale;
      return this;
    }

    /**
     * Sets the origin (pull mode). Without one the cache is push-only.
     *
     * @param origin the origin, or null for push-only
     * @return this builder
     */
    public Builder origin(Origin origin) {
      this.origin = origin;
      return this;
    }

    /**
     * Sets the clock used for ages and freshness (tests pass a manual clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Sets the listener.
     *
     * @param listener the listener, or null for none
     * @return this builder
     */
    public Builder listener(EdgeCacheListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Sets the cache key function, e.g. {@code r -> r.headers().first("host") + r.uri()}. Purge by
     * prefix matches against these keys.
     *
     * @param keyFunction function returning a non-null key
     * @return this builder
     */
    public Builder keyFunction(Function<EdgeRequest, String> keyFunction) {
      this.keyFunction = keyFunction;
      return this;
    }

    /**
     * Sets the response header fields whose space- or comma-separated values become purge tags.
     *
     * @param tagHeaders field names, may be empty
     * @return this builder
     */
    public Builder tagHeaders(List<String> tagHeaders) {
      this.tagHeaders = tagHeaders;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the field, value and allowed range when invalid
     * @throws NullPointerException when a required field is null
     */
    public EdgeCacheConfig build() {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, got '" + name + "'");
      }
      if (maximumBytes < 1) {
        throw new IllegalArgumentException(
            "maximumBytes must be in [1, " + Long.MAX_VALUE + "], got " + maximumBytes);
      }
      long objectLimit = Math.min(maximumBytes, MAX_OBJECT_BYTES_LIMIT);
      if (maxObjectBytes < 0 || maxObjectBytes > objectLimit) {
        throw new IllegalArgumentException(
            "maxObjectBytes must be in [0, "
                + objectLimit
                + "] (at most maximumBytes and "
                + MAX_OBJECT_BYTES_LIMIT
                + "), got "
                + maxObjectBytes);
      }
      if (maxVariantsPerKey < 1 || maxVariantsPerKey > MAX_VARIANTS_LIMIT) {
        throw new IllegalArgumentException(
            "maxVariantsPerKey must be in [1, "
                + MAX_VARIANTS_LIMIT
                + "], got "
                + maxVariantsPerKey);
      }
      Objects.requireNonNull(keepStale, "keepStale");
      if (keepStale.isNegative() || keepStale.compareTo(MAX_KEEP_STALE) > 0) {
        throw new IllegalArgumentException(
            "keepStale must be in [PT0S, " + MAX_KEEP_STALE + "], got " + keepStale);
      }
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(keyFunction, "keyFunction");
      Objects.requireNonNull(tagHeaders, "tagHeaders");
      for (String h : tagHeaders) {
        if (h == null || h.isBlank()) {
          throw new IllegalArgumentException(
              "tagHeaders must hold non-blank field names, got " + tagHeaders);
        }
      }
      return new EdgeCacheConfig(this);
    }
  }
}
