package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;

/**
 * Exact least request (least connections for an L4 proxy): a full scan for the candidate with the
 * fewest in-flight requests per unit of weight, {@code (inFlight + 1) / weight}; with equal weights
 * simply the fewest in flight. The scan starts at a random index so ties are spread. O(n) per pick:
 * prefer {@link PowerOfTwoFactory} for large sets.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class LeastRequestFactory implements SelectorFactory {
  /** The only instance. */
  public static final LeastRequestFactory INSTANCE = new LeastRequestFactory();

  private LeastRequestFactory() {}

  @Override
  public boolean weighted() {
    return true;
  }

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    return new LeastRequest<>(c.states, c.uniformWeights ? null : inverse(c.weights), c.owner.rng);
  }

  static double[] inverse(double[] weights) {
    double[] inv = new double[weights.length];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0 / weights[i];
    }
    return inv;
  }

  private static final class LeastRequest<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final double[] inverseWeights; // null: equal weights
    private final Rng rng;

    LeastRequest(EndpointState<E>[] states, double[] inverseWeights, Rng rng) {
      this.states = states;
      this.inverseWeights = inverseWeights;
      this.rng = rng;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      EndpointState<E>[] s = states;
      int n = s.length;
      if (n == 1) {
        return s[0];
      }
      // Scan from a random start so ties are spread; two plain loops (start..n, 0..start) keep
      // the index arithmetic out of the hot loop.
      int start = rng.nextInt(n);
      int best = start;
      if (inverseWeights == null) {
        long min = s[start].inFlight();
        for (int i = start + 1; i < n && min > 0; i++) {
          long v = s[i].inFlight();
          if (v < min) {
            min = v;
            best = i;
          }
        }
        for (int i = 0; i < start && min > 0; i++) {
          long v = s[i].inFlight();
          if (v < min) {
            min = v;
            best = i;
          }
        }
      } else {
        double[] inv = inverseWeights;
        double min = (s[start].inFlight() + 1) * inv[start];
        for (int i = start + 1; i < n; i++) {
          double v = (s[i].inFlight() + 1) * inv[i];
          if (v < min) {
            min = v;
            best = i;
          }
        }
        for (int i = 0; i < start; i++) {
          double v = (s[i].inFlight() + 1) * inv[i];
          if (v < min) {
            min = v;
            best = i;
          }
        }
      }
      return s[best];
    }
  }
}
