package io.dsblocks.loadbalancer;

import io.dsblocks.loadbalancer.internal.SelectorFactory;
import java.util.Objects;

/**
 * How a {@link LoadBalancer} chooses among its candidate endpoints; obtain one from {@link
 * Strategies}. A strategy is only a recipe: each balancer builds its own structures from it, so one
 * strategy can configure many balancers.
 *
 * <p>Thread-safety: immutable and thread-safe.
 */
public final class Strategy {
  private final String name;
  private final SelectorFactory factory;

  Strategy(String name, SelectorFactory factory) {
    this.name = Objects.requireNonNull(name, "name");
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * The strategy's name, e.g. {@code "powerOfTwoChoices"}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Whether the strategy honours endpoint weights that change over time, and hence slow start.
   * Plain round robin and random ignore weights (except 0, which drains); hash strategies use
   * weights but not slow start, because changing a weight moves keys.
   *
   * @return true for smooth weighted round robin, weighted random, least request, least
   *     connections, power of two choices and peak EWMA
   */
  public boolean weighted() {
    return factory.weighted();
  }

  SelectorFactory factory() {
    return factory;
  }

  @Override
  public String toString() {
    return name;
  }
}
