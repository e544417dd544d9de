package io.dsblocks.loadbalancer.pool;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.Picker;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.Selection;
import io.dsblocks.loadbalancer.internal.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Priority levels, as in Envoy: level 0 takes all traffic while it is healthy enough, and traffic
 * spills to the next levels in proportion to what is missing. A level's <em>health</em> is {@code
 * min(1, healthyShare × overprovisioningFactor)} (default factor 1.4, so a level at 72% or more
 * still takes everything); level {@code i} receives {@code min(health_i, 1 - load of the levels
 * before)}. When the healths sum to less than 1 they are scaled up to sum to 1 (the traffic has to
 * go somewhere); when every level is at 0, level 0 takes everything (its own panic mode decides
 * where).
 *
 * <p>{@code pick} computes the loads from the levels' current shares (a few volatile reads and
 * multiplications; no lock, no allocation), draws one random number and delegates to the chosen
 * level; if that level has no endpoint at all, the others are tried in priority order.
 *
 * <p>Thread-safety: thread-safe; {@code pick} is lock-free.
 *
 * @param <E> endpoint type
 */
public final class PriorityPool<E extends Endpoint> implements Picker<E> {
  private final String name;
  private final Picker<E>[] levels;
  private final double factor;
  private final Rng rng;
  private final Listeners listeners = new Listeners();

  private PriorityPool(Builder<E> b) {
    this.name = b.name;
    this.levels = toArray(b.levels);
    this.factor = b.overprovisioningFactor;
    this.rng = b.seed == null ? Rng.threadLocal() : Rng.seeded(b.seed);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Endpoint> Picker<E>[] toArray(List<Picker<E>> list) {
    return (Picker<E>[]) list.toArray(new Picker<?>[0]);
  }

  static <E extends Endpoint> Builder<E> builder() {
    return new Builder<>();
  }

  private double health(int level) {
    return Math.min(1.0, levels[level].healthyShare() * factor);
  }

  @Override
  public Selection<E> tryPick(RequestContext ctx) {
    int chosen = chooseLevel(rng.nextDouble());
    Selection<E> s = levels[chosen].tryPick(ctx);
    for (int i = 0; s == null && i < levels.length; i++) {
      if (i != chosen) {
        s = levels[i].tryPick(ctx);
      }
    }
    return s;
  }

  /** The level a uniform draw {@code u} in [0, 1) falls into. */
  int chooseLevel(double u) {
    int n = levels.length;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += health(i);
    }
    if (sum <= 0) {
      return 0;
    }
    double scale = 1.0 / Math.min(1.0, sum);
    double remaining = 1.0;
    int last = 0;
    for (int i = 0; i < n && remaining > 0; i++) {
      double load = Math.min(remaining, health(i) * scale);
      if (load > 0) {
        last = i;
        if (u < load) {
          return i;
        }
        u -= load;
        remaining -= load;
      }
    }
    return last; // rounding, or shares that changed between the two passes
  }

  /**
   * The share of traffic each level receives right now.
   *
   * @return one value per level, summing to 1
   */
  public double[] loads() {
    int n = levels.length;
    double[] loads = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      loads[i] = health(i);
      sum += loads[i];
    }
    if (sum <= 0) {
      loads[0] = 1.0;
      return loads;
    }
    double scale = 1.0 / Math.min(1.0, sum);
    double remaining = 1.0;
    for (int i = 0; i < n; i++) {
      loads[i] = Math.min(remaining, loads[i] * scale);
      remaining -= loads[i];
    }
    return loads;
  }

  /**
   * The pool's health: {@code min(1, sum of level healths)}.
   *
   * @return a value in [0, 1]
   */
  @Override
  public double healthyShare() {
    double sum = 0;
    for (int i = 0; i < levels.length; i++) {
      sum += health(i);
    }
    return Math.min(1.0, sum);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void addListener(LoadBalancerListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(LoadBalancerListener listener) {
    listeners.remove(listener);
  }

  @Override
  public String toString() {
    return "PriorityPool{" + name + ", " + levels.length + " levels}";
  }

  /**
   * Settings of a {@link PriorityPool}, validated by {@link #build()}. Not thread-safe.
   *
   * @param <E> endpoint type
   */
  public static final class Builder<E extends Endpoint> {
    private String name = "pool";
    private final List<Picker<E>> levels = new ArrayList<>();
    private double overprovisioningFactor = 1.4;
    private Long seed;

    private Builder() {}

    /**
     * The pool's name (default {@code "pool"}).
     *
     * @param name the name
     * @return this builder
     */
    public Builder<E> name(String name) {
      this.name = Objects.requireNonNull(name, "name must not be null");
      return this;
    }

    /**
     * Adds the next level: the first call adds level 0 (highest priority).
     *
     * @param group the level's group
     * @return this builder
     */
    public Builder<E> level(Picker<E> group) {
      levels.add(Objects.requireNonNull(group, "level group must not be null"));
      return this;
    }

    /**
     * Health multiplier (default 1.4, Envoy's).
     *
     * @param factor in [1, 10]
     * @return this builder
     */
    public Builder<E> overprovisioningFactor(double factor) {
      this.overprovisioningFactor = factor;
      return this;
    }

    /**
     * Seeds the level choice (default: unseeded).
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder<E> seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the pool
     * @throws IllegalArgumentException if there are no levels or the factor is out of range
     */
    public PriorityPool<E> build() {
      if (levels.isEmpty() || levels.size() > 128) {
        throw new IllegalArgumentException("levels must be in [1, 128], was " + levels.size());
      }
      if (!(overprovisioningFactor >= 1 && overprovisioningFactor <= 10)) {
        throw new IllegalArgumentException(
            "overprovisioningFactor must be in [1.0, 10.0], was " + overprovisioningFactor);
      }
      return new PriorityPool<>(this);
    }
  }
}
