package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NGINX's smooth weighted round robin: every step adds each endpoint's weight to its "current"
 * value and picks the largest (first on ties), then subtracts the total from the winner. Over one
 * cycle of {@code sum(weights)} picks each endpoint is picked exactly {@code weight} times, and
 * heavy endpoints are interleaved with light ones instead of picked in a burst (weights 5, 1, 1
 * give a, a, b, a, c, a, a).
 *
 * <p>NGINX runs that step under a lock on every request (O(n) per pick). Here the whole cycle is
 * computed once per snapshot and {@code pick} is one atomic increment and two array loads:
 * lock-free and O(1). Weights are first divided by their gcd; slow-start factors are applied at a
 * resolution of 1% ({@code round(weight × factor × 100)}). When the cycle would exceed {@value
 * #MAX_CYCLE} picks or its computation {@value #MAX_WORK} steps, the weights are scaled down
 * proportionally (each stays at least 1), so the proportions then hold to within the rounding.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class SmoothWeightedFactory implements SelectorFactory {
  /** The only instance. */
  public static final SmoothWeightedFactory INSTANCE = new SmoothWeightedFactory();

  /** Longest precomputed cycle (4 MB of indices). */
  static final int MAX_CYCLE = 1 << 20;

  /** Most inner-loop steps spent computing one cycle ({@code candidates × cycle length}). */
  static final long MAX_WORK = 1L << 26;

  private SmoothWeightedFactory() {}

  @Override
  public boolean weighted() {
    return true;
  }

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    int[] cycle = cycle(integerWeights(c.weights));
    return new Smooth<>(c.states, cycle, c.owner.sequence);
  }

  /**
   * Integer weights with the same proportions: exact for integral weights (divided by their gcd),
   * 1% resolution otherwise, scaled down when the cycle would be too long.
   *
   * @param weights effective weights, all above 0
   * @return integer weights, all at least 1
   */
  static int[] integerWeights(double[] weights) {
    int n = weights.length;
    long[] w = new long[n];
    boolean integral = true;
    for (double x : weights) {
      if (x != Math.rint(x)) {
        integral = false;
        break;
      }
    }
    for (int i = 0; i < n; i++) {
      w[i] = integral ? (long) weights[i] : Math.max(1L, Math.round(weights[i] * 100));
    }
    long g = 0;
    for (long x : w) {
      g = gcd(g, x);
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
      w[i] /= g;
      total += w[i];
    }
    long limit = Math.min(MAX_CYCLE, MAX_WORK / n);
    if (total > limit) {
      double scale = (double) limit / total;
      for (int i = 0; i < n; i++) {
        w[i] = Math.max(1L, (long) Math.floor(w[i] * scale));
      }
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = (int) w[i];
    }
    return out;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /**
   * One full NGINX cycle.
   *
   * @param w integer weights, all at least 1
   * @return candidate indices, {@code sum(w)} long
   */
  static int[] cycle(int[] w) {
    int n = w.length;
    long totalLong = 0;
    for (int x : w) {
      totalLong += x;
    }
    int total = (int) totalLong;
    int[] seq = new int[total];
    long[] current = new long[n];
    for (int step = 0; step < total; step++) {
      int best = 0;
      long bestValue = Long.MIN_VALUE;
      for (int i = 0; i < n; i++) {
        long v = current[i] + w[i];
        current[i] = v;
        if (v > bestValue) {
          bestValue = v;
          best = i;
        }
      }
      current[best] -= total;
      seq[step] = best;
    }
    return seq;
  }

  private static final class Smooth<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final int[] cycle;
    private final AtomicInteger position;

    Smooth(EndpointState<E>[] states, int[] cycle, AtomicInteger position) {
      this.states = states;
      this.cycle = cycle;
      this.position = position;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      int i = position.getAndIncrement() & Integer.MAX_VALUE;
      return states[cycle[i % cycle.length]];
    }
  }
}
