package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;

/**
 * Weighted random choice in O(1) with Vose's alias method: one 64-bit random number picks a column
 * (high 32 bits) and decides between the column and its alias (low 32 bits). Equal weights fall
 * back to a plain uniform pick.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class WeightedRandomFactory implements SelectorFactory {
  /** The only instance. */
  public static final WeightedRandomFactory INSTANCE = new WeightedRandomFactory();

  private WeightedRandomFactory() {}

  @Override
  public boolean weighted() {
    return true;
  }

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    if (c.uniformWeights) {
      return new RandomFactory.Uniform<>(c.states, c.owner.rng);
    }
    int n = c.states.length;
    long[] threshold = new long[n];
    int[] alias = new int[n];
    buildAlias(c.weights, threshold, alias);
    return new Alias<>(c.states, threshold, alias, c.owner.rng);
  }

  /**
   * Vose's construction: scaled probabilities {@code p_i × n}; pair each "small" column with a
   * "large" one that donates the rest of the column's mass.
   *
   * @param weights the weights, all above 0
   * @param threshold out: acceptance threshold of each column in units of 2^-32
   * @param alias out: the donor of each column
   */
  static void buildAlias(double[] weights, long[] threshold, int[] alias) {
    int n = weights.length;
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double[] p = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int ns = 0;
    int nl = 0;
    for (int i = 0; i < n; i++) {
      p[i] = weights[i] * n / sum;
      if (p[i] < 1.0) {
        small[ns++] = i;
      } else {
        large[nl++] = i;
      }
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns];
      int l = large[--nl];
      threshold[s] = (long) (p[s] * 0x1.0p32);
      alias[s] = l;
      p[l] = (p[l] + p[s]) - 1.0;
      if (p[l] < 1.0) {
        small[ns++] = l;
      } else {
        large[nl++] = l;
      }
    }
    // Leftovers are 1 up to rounding error: always accept the column itself.
    while (nl > 0) {
      int l = large[--nl];
      threshold[l] = 1L << 32;
      alias[l] = l;
    }
    while (ns > 0) {
      int s = small[--ns];
      threshold[s] = 1L << 32;
      alias[s] = s;
    }
  }

  private static final class Alias<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final long[] threshold;
    private final int[] alias;
    private final Rng rng;

    Alias(EndpointState<E>[] states, long[] threshold, int[] alias, Rng rng) {
      this.states = states;
      this.threshold = threshold;
      this.alias = alias;
      this.rng = rng;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      long r = rng.nextLong();
      int col = (int) (((r >>> 32) * states.length) >>> 32);
      return states[(r & 0xFFFF_FFFFL) < threshold[col] ? col : alias[col]];
    }
  }
}
