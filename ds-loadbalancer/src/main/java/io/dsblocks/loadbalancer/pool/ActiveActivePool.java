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
 * Active-active: every group serves at once, each receiving traffic in proportion to {@code weight
 * × healthyShare}, so a group that loses half its endpoints gets half its usual share and the
 * others absorb the rest. When every group is at 0, traffic splits by weight alone (the groups'
 * panic modes decide where). If the chosen group has no endpoint at all, the others are tried in
 * order.
 *
 * <p>Thread-safety: thread-safe; {@code pick} is lock-free (a few volatile reads, one random
 * number).
 *
 * @param <E> endpoint type
 */
public final class ActiveActivePool<E extends Endpoint> implements Picker<E> {
  private final String name;
  private final Picker<E>[] groups;
  private final double[] weights;
  private final Rng rng;
  private final Listeners listeners = new Listeners();

  private ActiveActivePool(Builder<E> b) {
    this.name = b.name;
    this.groups = toArray(b.groups);
    this.weights = b.weights.stream().mapToDouble(Double::doubleValue).toArray();
    this.rng = b.seed == null ? Rng.threadLocal() : Rng.seeded(b.seed);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Endpoint> Picker<E>[] toArray(List<Picker<E>> list) {
    return (Picker<E>[]) list.toArray(new Picker<?>[0]);
  }

  static <E extends Endpoint> Builder<E> builder() {
    return new Builder<>();
  }

  @Override
  public Selection<E> tryPick(RequestContext ctx) {
    int chosen = chooseGroup(rng.nextDouble());
    Selection<E> s = groups[chosen].tryPick(ctx);
    for (int i = 0; s == null && i < groups.length; i++) {
      if (i != chosen) {
        s = groups[i].tryPick(ctx);
      }
    }
    return s;
  }

  /** The group a uniform draw {@code u} in [0, 1) falls into. */
  int chooseGroup(double u) {
    int n = groups.length;
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += weights[i] * groups[i].healthyShare();
    }
    boolean byWeight = total <= 0;
    if (byWeight) {
      for (double w : weights) {
        total += w;
      }
    }
    double target = u * total;
    int last = 0;
    for (int i = 0; i < n; i++) {
      double w = byWeight ? weights[i] : weights[i] * groups[i].healthyShare();
      if (w > 0) {
        last = i;
        if (target < w) {
          return i;
        }
        target -= w;
      }
    }
    return last;
  }

  /**
   * Weighted mean of the groups' healthy shares.
   *
   * @return a value in [0, 1]
   */
  @Override
  public double healthyShare() {
    double sum = 0;
    double w = 0;
    for (int i = 0; i < groups.length; i++) {
      sum += weights[i] * groups[i].healthyShare();
      w += weights[i];
    }
    return sum / w;
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
    return "ActiveActivePool{" + name + ", " + groups.length + " groups}";
  }

  /**
   * Settings of an {@link ActiveActivePool}, validated by {@link #build()}. Not thread-safe.
   *
   * @param <E> endpoint type
   */
  public static final class Builder<E extends Endpoint> {
    private String name = "pool";
    private final List<Picker<E>> groups = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();
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
     * Adds a group of weight 1.
     *
     * @param group the group
     * @return this builder
     */
    public Builder<E> group(Picker<E> group) {
      return group(group, 1.0);
    }

    /**
     * Adds a weighted group.
     *
     * @param group the group
     * @param weight its relative share, finite and above 0
     * @return this builder
     */
    public Builder<E> group(Picker<E> group, double weight) {
      groups.add(Objects.requireNonNull(group, "group must not be null"));
      weights.add(weight);
      return this;
    }

    /**
     * Seeds the group choice (default: unseeded).
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
     * @throws IllegalArgumentException if there are no groups or a weight is invalid
     */
    public ActiveActivePool<E> build() {
      if (groups.isEmpty()) {
        throw new IllegalArgumentException("groups must not be empty, was []");
      }
      for (int i = 0; i < groups.size(); i++) {
        double w = weights.get(i);
        if (!(w > 0 && Double.isFinite(w))) {
          throw new IllegalArgumentException(
              "weight of group "
                  + i
                  + " ('"
                  + groups.get(i).name()
                  + "') must be finite and > 0, was "
                  + w);
        }
      }
      return new ActiveActivePool<>(this);
    }
  }
}
