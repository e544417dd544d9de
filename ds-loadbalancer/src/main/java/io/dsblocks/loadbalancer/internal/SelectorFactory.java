package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;

/**
 * Builds a strategy's {@link Selector} for each snapshot; what a public {@code Strategy} wraps.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface SelectorFactory {

  /**
   * Builds the selector over a candidate set.
   *
   * @param candidates the candidates (at least one) and their effective weights
   * @param <E> endpoint type
   * @return the selector
   */
  <E extends Endpoint> Selector<E> create(Candidates<E> candidates);

  /**
   * Whether the strategy honours effective weights (and therefore slow start).
   *
   * @return true if weighted
   */
  default boolean weighted() {
    return false;
  }

  /**
   * Whether the balancer must maintain each endpoint's peak-EWMA latency estimate.
   *
   * @return true if latency is tracked
   */
  default boolean tracksLatency() {
    return false;
  }

  /**
   * Whether the balancer must maintain the total in-flight count (bounded loads).
   *
   * @return true if needed
   */
  default boolean needsTotalInFlight() {
    return false;
  }
}
