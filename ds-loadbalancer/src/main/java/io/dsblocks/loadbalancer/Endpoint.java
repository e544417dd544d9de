package io.dsblocks.loadbalancer;

import io.dsblocks.loadbalancer.internal.SimpleEndpoint;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A backend that requests are balanced over: a stable {@link #id()}, an address, a relative {@link
 * #weight()}, a {@link #zone()} and free-form {@link #metadata()}.
 *
 * <p>Balancers identify endpoints only by id: two endpoints with the same id are the same endpoint
 * (an {@link LoadBalancer#update update} that keeps an id keeps its in-flight counts, latency
 * estimate and health). Use {@link #of(String, int)} or {@link #builder()} for the default
 * immutable implementation, or implement this interface on your own type (a connection pool, a gRPC
 * channel) and balance over that type directly: {@code LoadBalancer<MyBackend>}.
 *
 * <p>Implementations must be immutable (at least {@code id}, {@code weight} and {@code zone}) and
 * therefore thread-safe. Balancers validate them when built or updated: id not empty, host not
 * empty, port in [1, 65535], weight in [0, {@value #MAX_WEIGHT}].
 */
public interface Endpoint {

  /** Largest accepted weight. */
  int MAX_WEIGHT = 1_000_000;

  /**
   * The stable identity, e.g. {@code "10.0.0.7:8080"} or {@code "api-3"}. Never empty.
   *
   * @return the id
   */
  String id();

  /**
   * Host name or IP literal to connect to.
   *
   * @return the host, not empty
   */
  String host();

  /**
   * TCP port to connect to.
   *
   * @return the port, 1 to 65535
   */
  int port();

  /**
   * Relative capacity, 0 to {@value #MAX_WEIGHT}. Weighted strategies send an endpoint of weight 2
   * about twice the requests of one of weight 1; weight 0 drains the endpoint (no strategy picks it
   * for new requests; requests already in flight finish).
   *
   * @return the weight, 1 by default
   */
  default int weight() {
    return 1;
  }

  /**
   * The locality (availability zone, rack, data center) for zone-aware balancing.
   *
   * @return the zone, the empty string by default
   */
  default String zone() {
    return "";
  }

  /**
   * Free-form labels (version, canary, shard).
   *
   * @return an immutable map, empty by default
   */
  default Map<String, String> metadata() {
    return Map.of();
  }

  /**
   * A builder pre-filled with this endpoint's values, e.g. to change its weight at runtime: {@code
   * lb.update(List.of(a.toBuilder().weight(5).build(), b))}.
   *
   * @return a new builder
   */
  default Builder toBuilder() {
    return builder()
        .id(id())
        .host(host())
        .port(port())
        .weight(weight())
        .zone(zone())
        .metadata(metadata());
  }

  /**
   * An endpoint of weight 1 in the default zone whose id is {@code host:port}.
   *
   * @param host host name or IP literal
   * @param port port, 1 to 65535
   * @return the endpoint
   * @throws IllegalArgumentException if the host is empty or the port out of range
   * @throws NullPointerException if {@code host} is null
   */
  static Endpoint of(String host, int port) {
    return builder().host(host).port(port).build();
  }

  /**
   * A builder with weight 1, the default zone, no metadata and an id defaulting to {@code
   * host:port}.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Builds the default {@link Endpoint} implementation; values are validated by {@link #build()}.
   * Not thread-safe.
   */
  final class Builder {
    private String id;
    private String host;
    private int port;
    private int weight = 1;
    private String zone = "";
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The id (default {@code host:port}).
     *
     * @param id the id, not empty
     * @return this builder
     */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id must not be null");
      return this;
    }

    /**
     * The host (required).
     *
     * @param host host name or IP literal
     * @return this builder
     */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host must not be null");
      return this;
    }

    /**
     * The port (required).
     *
     * @param port 1 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * The weight (default 1).
     *
     * @param weight 0 to {@value Endpoint#MAX_WEIGHT}
     * @return this builder
     */
    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /**
     * The zone (default empty).
     *
     * @param zone the locality
     * @return this builder
     */
    public Builder zone(String zone) {
      this.zone = Objects.requireNonNull(zone, "zone must not be null");
      return this;
    }

    /**
     * Adds one metadata entry.
     *
     * @param key the label name
     * @param value the label value
     * @return this builder
     */
    public Builder metadata(String key, String value) {
      metadata.put(
          Objects.requireNonNull(key, "metadata key must not be null"),
          Objects.requireNonNull(value, "metadata value must not be null"));
      return this;
    }

    /**
     * Replaces all metadata.
     *
     * @param entries the labels
     * @return this builder
     */
    public Builder metadata(Map<String, String> entries) {
      metadata.clear();
      entries.forEach(this::metadata);
      return this;
    }

    /**
     * Validates the values and builds the endpoint.
     *
     * @return an immutable endpoint
     * @throws IllegalArgumentException naming the field, the bad value and the allowed range
     * @throws NullPointerException if no host was set
     */
    public Endpoint build() {
      Objects.requireNonNull(host, "host must be set");
      String theId = id != null ? id : host + ":" + port;
      Endpoint e = new SimpleEndpoint(theId, host, port, weight, zone, Map.copyOf(metadata));
      SimpleEndpoint.validate(e);
      return e;
    }
  }
}
