package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.RequestContext;

/**
 * Least response time, Finagle/Linkerd style: power of two choices on the cost {@code
 * latencyEstimate × (inFlight + 1) / weight}, where the estimate is a peak-sensitive EWMA of
 * reported latencies that decays towards zero while no samples arrive (see {@link
 * EndpointState#observeLatency}). The {@code inFlight + 1} factor is the outstanding-request
 * penalty: a fast endpoint that is already busy costs more than an idle slightly slower one. A pick
 * reads no clock and computes one {@code exp}: only the two estimates' time stamps matter.
 *
 * <p>Thread-safety: immutable; its selectors are thread-safe and lock-free.
 */
public final class PeakEwmaFactory implements SelectorFactory {
  final double decayNanos;
  final double initialNanos;

  /**
   * Creates the factory.
   *
   * @param decayNanos time constant of the decay
   * @param initialNanos estimate of an endpoint with no samples yet
   */
  public PeakEwmaFactory(double decayNanos, double initialNanos) {
    this.decayNanos = decayNanos;
    this.initialNanos = initialNanos;
  }

  @Override
  public boolean weighted() {
    return true;
  }

  @Override
  public boolean tracksLatency() {
    return true;
  }

  @Override
  public <E extends Endpoint> Selector<E> create(Candidates<E> c) {
    return new PeakEwma<>(
        c.states, LeastRequestFactory.inverse(c.weights), c.owner.rng, decayNanos);
  }

  private static final class PeakEwma<E extends Endpoint> extends Selector<E> {
    private final EndpointState<E>[] states;
    private final double[] inverseWeights;
    private final Rng rng;
    private final double inverseTau;

    PeakEwma(EndpointState<E>[] states, double[] inverseWeights, Rng rng, double tau) {
      this.states = states;
      this.inverseWeights = inverseWeights;
      this.rng = rng;
      this.inverseTau = 1.0 / tau;
    }

    @Override
    public EndpointState<E> select(RequestContext ctx) {
      EndpointState<E>[] s = states;
      int n = s.length;
      if (n == 1) {
        return s[0];
      }
      long r = rng.nextLong();
      int i = PowerOfTwoFactory.first(r, n);
      int j = PowerOfTwoFactory.second(r, n, i);
      EndpointState<E> a = s[i];
      EndpointState<E> b = s[j];
      // Decayed cost at time t: stored x exp(-(t - stamp) / tau) x (inFlight + 1) / weight. The
      // common factor exp(-t / tau) cancels in the comparison, so no clock read is needed and one
      // exp of the stamp difference replaces two: a <= b iff ca <= cb x exp((sb - sa) / tau).
      // Overflow is harmless: infinity means b was updated much later (a decayed far more).
      double ca = a.rawLatencyEstimate() * (a.inFlight() + 1) * inverseWeights[i];
      double cb = b.rawLatencyEstimate() * (b.inFlight() + 1) * inverseWeights[j];
      long sa = a.latencyStamp();
      long sb = b.latencyStamp();
      return ca <= (sa == sb ? cb : cb * Math.exp((sb - sa) * inverseTau)) ? a : b;
    }
  }
}
