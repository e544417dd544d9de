package io.dsblocks.loadbalancer;

import io.dsblocks.sharding.KeyHasher;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a strategy may look at when it picks an endpoint: an optional routing key (already hashed to
 * 64 bits), an optional client address, free-form attributes and the endpoints to avoid (those a
 * retried request has already tried).
 *
 * <p>Keys are hashed once, when the context is created, with the same XXH3 hasher as ds-sharding's
 * routers ({@link KeyHasher#xxh3()}), so {@code pick} never hashes. A context is immutable: reuse
 * one across requests with the same key (a connection, a session) or use {@link #empty()} when the
 * strategy needs nothing.
 *
 * <pre>{@code
 * lb.pick(RequestContext.ofKey("user:42"));                   // consistent hashing
 * lb.pick(RequestContext.ofClient(remoteAddress));            // IP hash
 * RequestContext retry = ctx.excluding(first.endpoint().id()); // a retry goes elsewhere
 * }</pre>
 *
 * <p>Thread-safety: immutable and thread-safe.
 */
public final class RequestContext {
  private static final KeyHasher HASHER = KeyHasher.xxh3();
  private static final String[] NONE = {};
  private static final RequestContext EMPTY = new RequestContext(false, 0, null, 0, Map.of(), NONE);

  private final boolean hasKey;
  private final long keyHash;
  private final InetAddress client;
  private final long clientHash;
  private final Map<String, String> attributes;
  private final String[] excluded;

  private RequestContext(
      boolean hasKey,
      long keyHash,
      InetAddress client,
      long clientHash,
      Map<String, String> attributes,
      String[] excluded) {
    this.hasKey = hasKey;
    this.keyHash = keyHash;
    this.client = client;
    this.clientHash = clientHash;
    this.attributes = attributes;
    this.excluded = excluded;
  }

  /**
   * The shared context with no key, no client and no attributes.
   *
   * @return the empty context
   */
  public static RequestContext empty() {
    return EMPTY;
  }

  /**
   * A context whose key is an already computed 64-bit hash (used as is).
   *
   * @param keyHash the hash, all 64 bits used
   * @return the context
   */
  public static RequestContext ofHash(long keyHash) {
    return new RequestContext(true, keyHash, null, 0, Map.of(), NONE);
  }

  /**
   * A context keyed by a {@code long} (hashed with XXH3, like {@code ShardRouter.route(long)}).
   *
   * @param key the key
   * @return the context
   */
  public static RequestContext ofKey(long key) {
    return ofHash(HASHER.hashLong(key));
  }

  /**
   * A context keyed by a character sequence (hashed with XXH3).
   *
   * @param key the key, not null
   * @return the context
   * @throws NullPointerException if {@code key} is null
   */
  public static RequestContext ofKey(CharSequence key) {
    return ofHash(HASHER.hashChars(Objects.requireNonNull(key, "key must not be null")));
  }

  /**
   * A context keyed by bytes (hashed with XXH3).
   *
   * @param key the key, not null
   * @return the context
   * @throws NullPointerException if {@code key} is null
   */
  public static RequestContext ofKey(byte[] key) {
    return ofHash(HASHER.hashBytes(Objects.requireNonNull(key, "key must not be null")));
  }

  /**
   * A context carrying the client's address (for {@link Strategies#ipHash()}).
   *
   * @param client the client address, not null
   * @return the context
   * @throws NullPointerException if {@code client} is null
   */
  public static RequestContext ofClient(InetAddress client) {
    return builder().client(client).build();
  }

  /**
   * A builder for a context with several parts.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether the context has a routing key.
   *
   * @return true if a key (or hash) was given
   */
  public boolean hasKey() {
    return hasKey;
  }

  /**
   * The hash of the routing key.
   *
   * @return the hash, 0 when {@link #hasKey()} is false
   */
  public long keyHash() {
    return keyHash;
  }

  /**
   * Whether the context carries a client address.
   *
   * @return true if a client address was given
   */
  public boolean hasClient() {
    return client != null;
  }

  /**
   * The client address.
   *
   * @return the address, or null when absent
   */
  public InetAddress clientAddress() {
    return client;
  }

  /**
   * XXH3 hash of the client address bytes.
   *
   * @return the hash, 0 when {@link #hasClient()} is false
   */
  public long clientHash() {
    return clientHash;
  }

  /**
   * One attribute.
   *
   * @param name the attribute name
   * @return its value, or null when absent
   */
  public String attribute(String name) {
    return attributes.get(name);
  }

  /**
   * All attributes.
   *
   * @return an immutable map
   */
  public Map<String, String> attributes() {
    return attributes;
  }

  /**
   * Whether an endpoint is to be avoided (see {@link #excluding(String)}).
   *
   * @param endpointId an endpoint id
   * @return true if this context excludes it
   */
  public boolean isExcluded(String endpointId) {
    for (String id : excluded) {
      if (id.equals(endpointId)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether any endpoint is excluded.
   *
   * @return true if {@link #excluding(String)} was used
   */
  public boolean hasExclusions() {
    return excluded.length != 0;
  }

  /**
   * A copy of this context that also avoids one endpoint, typically the one a failed attempt used:
   * the balancer then picks another endpoint when one is available, and the excluded one only if
   * nothing else is.
   *
   * @param endpointId the id to avoid
   * @return a new context
   * @throws NullPointerException if {@code endpointId} is null
   */
  public RequestContext excluding(String endpointId) {
    Objects.requireNonNull(endpointId, "endpointId must not be null");
    String[] more = Arrays.copyOf(excluded, excluded.length + 1);
    more[excluded.length] = endpointId;
    return new RequestContext(hasKey, keyHash, client, clientHash, attributes, more);
  }

  @Override
  public String toString() {
    return "RequestContext{"
        + (hasKey ? "keyHash=" + Long.toHexString(keyHash) + ", " : "")
        + (client != null ? "client=" + client.getHostAddress() + ", " : "")
        + "attributes="
        + attributes
        + (excluded.length > 0 ? ", excluded=" + Arrays.toString(excluded) : "")
        + '}';
  }

  /** Builds a {@link RequestContext}. Not thread-safe. */
  public static final class Builder {
    private boolean hasKey;
    private long keyHash;
    private InetAddress client;
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the key hash directly.
     *
     * @param hash a 64-bit hash
     * @return this builder
     */
    public Builder keyHash(long hash) {
      this.hasKey = true;
      this.keyHash = hash;
      return this;
    }

    /**
     * Sets a {@code long} key (hashed).
     *
     * @param key the key
     * @return this builder
     */
    public Builder key(long key) {
      return keyHash(HASHER.hashLong(key));
    }

    /**
     * Sets a character-sequence key (hashed).
     *
     * @param key the key
     * @return this builder
     */
    public Builder key(CharSequence key) {
      return keyHash(HASHER.hashChars(Objects.requireNonNull(key, "key must not be null")));
    }

    /**
     * Sets a byte-array key (hashed).
     *
     * @param key the key
     * @return this builder
     */
    public Builder key(byte[] key) {
      return keyHash(HASHER.hashBytes(Objects.requireNonNull(key, "key must not be null")));
    }

    /**
     * Sets the client address.
     *
     * @param address the client
     * @return this builder
     */
    public Builder client(InetAddress address) {
      this.client = Objects.requireNonNull(address, "client address must not be null");
      return this;
    }

    /**
     * Adds an attribute.
     *
     * @param name the name
     * @param value the value
     * @return this builder
     */
    public Builder attribute(String name, String value) {
      attributes.put(
          Objects.requireNonNull(name, "attribute name must not be null"),
          Objects.requireNonNull(value, "attribute value must not be null"));
      return this;
    }

    /**
     * Builds the immutable context.
     *
     * @return the context
     */
    public RequestContext build() {
      long ch = client == null ? 0 : HASHER.hashBytes(client.getAddress());
      return new RequestContext(hasKey, keyHash, client, ch, Map.copyOf(attributes), NONE);
    }
  }
}
