package io.dsblocks.sharding;

import java.util.Objects;

/**
 * The plain {@link Node}: an id, a weight and a zone. Immutable and thread-safe.
 *
 * @param id the stable id, not empty
 * @param weight the relative capacity, finite and greater than zero
 * @param zone the failure domain, not null (empty = default zone)
 */
public record SimpleNode(String id, double weight, String zone) implements Node {

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if {@code id} is empty or {@code weight} is not finite and
   *     positive
   * @throws NullPointerException if {@code id} or {@code zone} is null
   */
  public SimpleNode {
    Validation.checkNode(id, weight, zone);
  }

  @Override
  public String toString() {
    return zone.isEmpty() && weight == 1.0 ? id : id + "(w=" + weight + ",zone=" + zone + ")";
  }

  /** Shared checks, also applied by routers to user-implemented {@link Node}s. */
  static final class Validation {
    private Validation() {}

    static void checkNode(String id, double weight, String zone) {
      Objects.requireNonNull(id, "node id must not be null");
      Objects.requireNonNull(zone, () -> "zone of node '" + id + "' must not be null");
      if (id.isEmpty()) {
        throw new IllegalArgumentException("node id must not be empty");
      }
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "weight of node '"
                + id
                + "' must be finite and > 0, was "
                + weight
                + " (allowed range: (0, +inf))");
      }
    }
  }
}
