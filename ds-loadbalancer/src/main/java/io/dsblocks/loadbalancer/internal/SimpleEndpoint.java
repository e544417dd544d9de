package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import java.util.Map;

/** The default {@link Endpoint}; equal when every field is equal. Immutable and thread-safe. */
public final class SimpleEndpoint implements Endpoint {
  private final String id;
  private final String host;
  private final int port;
  private final int weight;
  private final String zone;
  private final Map<String, String> metadata;

  /**
   * Creates an endpoint; callers validate with {@link #validate(Endpoint)}.
   *
   * @param id id
   * @param host host
   * @param port port
   * @param weight weight
   * @param zone zone
   * @param metadata immutable metadata
   */
  public SimpleEndpoint(
      String id, String host, int port, int weight, String zone, Map<String, String> metadata) {
    this.id = id;
    this.host = host;
    this.port = port;
    this.weight = weight;
    this.zone = zone;
    this.metadata = metadata;
  }

  /**
   * Checks an endpoint (ours or a user implementation) against the documented ranges.
   *
   * @param e the endpoint
   * @throws IllegalArgumentException naming the field, value and range
   * @throws NullPointerException if the endpoint or one of its required values is null
   */
  public static void validate(Endpoint e) {
    if (e == null) {
      throw new NullPointerException("endpoint must not be null");
    }
    String id = e.id();
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("endpoint id must not be empty, was '" + id + "'");
    }
    String host = e.host();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(
          "host of endpoint '" + id + "' must not be empty, was '" + host + "'");
    }
    if (e.port() < 1 || e.port() > 65535) {
      throw new IllegalArgumentException(
          "port of endpoint '" + id + "' must be in [1, 65535], was " + e.port());
    }
    if (e.weight() < 0 || e.weight() > Endpoint.MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "weight of endpoint '"
              + id
              + "' must be in [0, "
              + Endpoint.MAX_WEIGHT
              + "], was "
              + e.weight());
    }
    if (e.zone() == null) {
      throw new NullPointerException("zone of endpoint '" + id + "' must not be null");
    }
    if (e.metadata() == null) {
      throw new NullPointerException("metadata of endpoint '" + id + "' must not be null");
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public int weight() {
    return weight;
  }

  @Override
  public String zone() {
    return zone;
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SimpleEndpoint)) {
      return false;
    }
    SimpleEndpoint that = (SimpleEndpoint) o;
    return port == that.port
        && weight == that.weight
        && id.equals(that.id)
        && host.equals(that.host)
        && zone.equals(that.zone)
        && metadata.equals(that.metadata);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + port;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(id);
    if (!id.equals(host + ":" + port)) {
      sb.append('(').append(host).append(':').append(port).append(')');
    }
    if (weight != 1) {
      sb.append(" w=").append(weight);
    }
    if (!zone.isEmpty()) {
      sb.append(" zone=").append(zone);
    }
    return sb.toString();
  }
}
