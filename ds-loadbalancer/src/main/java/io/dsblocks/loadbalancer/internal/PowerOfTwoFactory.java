package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;

/**
 * Power of two choices on in-flight requests per unit of weight: sample two <em>distinct</em>
 * candidates uniformly (never the same one twice, which would silently turn a decision into a
 * random pick) and take the less loaded. One 64-bit random number gives both indices: the first
 * from its high half over n, the second from its low half over n - 1, shifted past the first.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class PowerOfTwoFactory implements SelectorFactory {
  /** The production instance (no observer). */
  public static final PowerOfTwoFactory INSTANCE = new PowerOfTwoFactory(null);

  /** Sees every sampled pair; for tests that check the sampling. */
  @FunctionalInterface
  public interface PairObserver {
    /**
     * Called once per decision.
     *
     * @param first the first sampled index
     * @param second the second sampled index
     * @param candidates the number of candidates
     */
    void onPair(int first, int second, int candidates);
  }

  private final PairObserver observer;

  /**
   * A factory whose selectors report each sampled pair.
   *
   * @param observer the observer, or null
   */
  public PowerOfTwoFactory(PairObserver observer) {
    this.observer = observer;
  }

  @Override
  public boolean weighted() {
    return true;
  }

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    return new TwoChoices<>(
        c.states,
        c.uniformWeights ? null : LeastRequestFactory.inverse(c.weights),
        c.owner.rng,
        observer);
  }

  /**
   * The first index of a pair drawn from 64 random bits.
   *
   * @param r random bits
   * @param n candidates, at least 2
   * @return an index in [0, n)
   */
  public static int first(long r, int n) {
    return (int) (((r >>> 32) * n) >>> 32);
  }

  /**
   * The second index of a pair: uniform over the n - 1 indices other than {@code first}.
   *
   * @param r the same random bits
   * @param n candidates, at least 2
   * @param first the first index
   * @return an index in [0, n), never {@code first}
   */
  public static int second(long r, int n, int first) {
    int j = (int) (((r & 0xFFFF_FFFFL) * (n - 1)) >>> 32);
    return j >= first ? j + 1 : j;
  }

  private static final class TwoChoices<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final double[] inverseWeights;
    private final Rng rng;
    private final PairObserver observer;

    TwoChoices(EndpointState<E>[] states, double[] inverseWeights, Rng rng, PairObserver observer) {
      this.states = states;
      this.inverseWeights = inverseWeights;
      this.rng = rng;
      this.observer = observer;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      EndpointState<E>[] s = states;
      int n = s.length;
      if (n == 1) {
        return s[0];
      }
      long r = rng.nextLong();
      int i = first(r, n);
      int j = second(r, n, i);
      if (observer != null) {
        observer.onPair(i, j, n);
      }
      EndpointState<E> a = s[i];
      EndpointState<E> b = s[j];
      if (inverseWeights == null) {
        return a.inFlight() <= b.inFlight() ? a : b;
      }
      return (a.inFlight() + 1) * inverseWeights[i] <= (b.inFlight() + 1) * inverseWeights[j]
          ? a
          : b;
    }
  }
}
