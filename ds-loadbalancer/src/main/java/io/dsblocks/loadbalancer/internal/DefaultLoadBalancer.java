package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.EndpointStatus;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancerListener;
import io.dsblocks.loadbalancer.NoEndpointAvailableException;
import io.dsblocks.loadbalancer.RequestContext;
import io.dsblocks.loadbalancer.Selection;
import io.dsblocks.loadbalancer.Strategy;
import io.dsblocks.loadbalancer.Ticker;
import io.dsblocks.loadbalancer.health.EjectionReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The {@link LoadBalancer} implementation: an immutable {@link Snapshot} read by {@code pick}, and
 * a lock that serialises everything that rebuilds it.
 *
 * <p>Thread-safe: see {@link LoadBalancer}.
 *
 * @param <E> endpoint type
 */
public final class DefaultLoadBalancer<E extends Endpoint> implements LoadBalancer<E> {
  /** Slow start advances the weights in this many steps over its window. */
  static final int RAMP_STEPS = 20;

  private static final LoadBalancerListener[] NO_LISTENERS = {};

  final String name;
  final Strategy strategy;
  final SelectorFactory factory;
  final Ticker ticker;
  final Rng rng;
  final double panicThreshold;
  final String localZone;
  final double minLocalShare;
  final long slowStartNanos;
  final double slowStartExponent;
  final double slowStartMinFactor;
  final OutlierDetector<E> outlier;
  final boolean tracksLatency;
  final double latencyDecayNanos;
  final double initialLatencyNanos;

  /** Position shared by round robin and smooth WRR, so a rebuild does not restart the cycle. */
  final AtomicInteger sequence = new AtomicInteger();

  /** Sum of in-flight counts; maintained only for strategies that need it (bounded loads). */
  final LongAdder totalInFlight;

  private final ReentrantLock lock = new ReentrantLock();
  private LinkedHashMap<String, EndpointState<E>> members = new LinkedHashMap<>(); // lock
  private boolean panic; // lock
  private volatile Snapshot<E> snapshot;
  private volatile LoadBalancerListener[] listeners;

  /**
   * Builds a balancer; settings were validated by the public builder, endpoints are validated here.
   *
   * @param s settings
   * @param endpoints the initial members
   */
  public DefaultLoadBalancer(Settings s, Collection<? extends E> endpoints) {
    this.name = s.name();
    this.strategy = s.strategy();
    this.factory = s.factory();
    this.ticker = s.ticker();
    this.rng = s.rng();
    this.panicThreshold = s.panicThreshold();
    this.localZone = s.localZone();
    this.minLocalShare = s.minLocalShare();
    this.slowStartNanos = s.slowStartNanos();
    this.slowStartExponent = 1.0 / s.slowStartAggression();
    this.slowStartMinFactor = s.slowStartMinFactor();
    this.tracksLatency = factory.tracksLatency();
    this.latencyDecayNanos =
        factory instanceof PeakEwmaFactory ? ((PeakEwmaFactory) factory).decayNanos : 1;
    this.initialLatencyNanos =
        factory instanceof PeakEwmaFactory ? ((PeakEwmaFactory) factory).initialNanos : 0;
    this.totalInFlight = factory.needsTotalInFlight() ? new LongAdder() : null;
    this.listeners = s.listeners().toArray(NO_LISTENERS);
    List<E> list = validate(endpoints);
    long now = ticker.read();
    this.outlier = s.outlier() == null ? null : new OutlierDetector<>(this, s.outlier(), now);
    lock.lock();
    try {
      for (E e : list) {
        members.put(e.id(), new EndpointState<>(this, e, initialLatencyNanos, now));
      }
      rebuild(now);
    } finally {
      lock.unlock();
    }
  }

  private List<E> validate(Collection<? extends E> endpoints) {
    Objects.requireNonNull(endpoints, "endpoints must not be null");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(
          "endpoints of load balancer '" + name + "' must not be empty, was []");
    }
    List<E> list = new ArrayList<>(endpoints.size());
    Set<String> ids = new HashSet<>();
    for (E e : endpoints) {
      SimpleEndpoint.validate(e);
      if (!ids.add(e.id())) {
        throw new IllegalArgumentException(
            "duplicate endpoint id '" + e.id() + "' in load balancer '" + name + "'");
      }
      list.add(e);
    }
    return list;
  }

  // ---- pick ----------------------------------------------------------------------------------

  @Override
  public Selection<E> tryPick(RequestContext ctx) {
    Objects.requireNonNull(ctx, "ctx must not be null");
    Snapshot<E> s = snapshot;
    if (s.ramping && ticker.read() - s.rampRefreshAt >= 0) {
      s = refreshRamp(s);
    }
    Selector<E> selector = s.selector;
    if (selector == null) {
      return null;
    }
    EndpointState<E> chosen = selector.select(ctx);
    if (ctx.hasExclusions() && ctx.isExcluded(chosen.id)) {
      chosen = avoidExcluded(s.candidates, ctx, chosen);
    }
    chosen.begin();
    return chosen;
  }

  @Override
  public Selection<E> pick(RequestContext ctx) {
    Selection<E> s = tryPick(ctx);
    if (s == null) {
      Snapshot<E> snap = snapshot;
      throw new NoEndpointAvailableException(
          name,
          snap.members.length
              + " endpoints, "
              + snap.eligible
              + " with weight above 0, "
              + snap.available
              + " healthy and not ejected");
    }
    return s;
  }

  /** The first non-excluded candidate from a random start; the original choice if none. */
  private EndpointState<E> avoidExcluded(
      EndpointState<E>[] c, RequestContext ctx, EndpointState<E> chosen) {
    int n = c.length;
    int start = n == 1 ? 0 : rng.nextInt(n);
    for (int k = 0; k < n; k++) {
      int i = start + k;
      EndpointState<E> st = c[i >= n ? i - n : i];
      if (!ctx.isExcluded(st.id)) {
        return st;
      }
    }
    return chosen;
  }

  private Snapshot<E> refreshRamp(Snapshot<E> seen) {
    // Only one picker rebuilds; the others keep using the slightly stale weights.
    if (lock.tryLock()) {
      try {
        if (snapshot == seen) {
          rebuild(ticker.read());
        }
      } finally {
        lock.unlock();
      }
    }
    return snapshot;
  }

  // ---- outcome reports -----------------------------------------------------------------------

  void recordSuccess(EndpointState<E> st, long latencyNanos) {
    if (tracksLatency || outlier != null) {
      long now = ticker.read();
      if (tracksLatency) {
        st.observeLatency(now, latencyNanos, latencyDecayNanos, false);
      }
      if (outlier != null) {
        outlier.onSuccess(st, now);
      }
    }
  }

  void recordFailure(EndpointState<E> st, long latencyNanos, boolean is5xx) {
    if (tracksLatency || outlier != null) {
      long now = ticker.read();
      if (tracksLatency) {
        st.observeLatency(now, latencyNanos, latencyDecayNanos, true);
      }
      if (outlier != null) {
        outlier.onFailure(st, now, is5xx);
      }
    }
  }

  // ---- membership and health ------------------------------------------------------------------

  @Override
  public void update(Collection<? extends E> endpoints) {
    List<E> list = validate(endpoints);
    lock.lock();
    try {
      long now = ticker.read();
      LinkedHashMap<String, EndpointState<E>> next = new LinkedHashMap<>();
      for (E e : list) {
        EndpointState<E> st = members.remove(e.id());
        if (st == null) {
          st = new EndpointState<>(this, e, initialLatencyNanos, now);
          if (slowStartNanos > 0) {
            st.availableSince = now;
          }
        } else {
          st.endpoint = e;
        }
        next.put(e.id(), st);
      }
      for (EndpointState<E> gone : members.values()) {
        gone.removed = true;
        gone.available = false;
      }
      members = next;
      rebuild(now);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean setHealthy(String endpointId, boolean healthy) {
    Objects.requireNonNull(endpointId, "endpointId must not be null");
    lock.lock();
    try {
      EndpointState<E> st = members.get(endpointId);
      if (st == null) {
        return false;
      }
      if (st.healthy != healthy) {
        long now = ticker.read();
        st.healthy = healthy;
        if (healthy && slowStartNanos > 0) {
          st.availableSince = now;
        }
        rebuild(now);
        E e = st.endpoint;
        if (healthy) {
          if (listeners.length != 0) {
            fire(l -> l.onEndpointHealthy(name, e));
          }
        } else {
          if (listeners.length != 0) {
            fire(l -> l.onEndpointUnhealthy(name, e));
          }
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Ejects one endpoint if the rules allow it (called by the outlier detector). */
  void eject(EndpointState<E> st, EjectionReason reason, long now) {
    lock.lock();
    try {
      if (st.removed || st.ejected || !ejectionAllowed()) {
        return;
      }
      doEject(st, reason, now);
      rebuild(now);
    } finally {
      lock.unlock();
    }
  }

  /** Must hold the lock. */
  boolean ejectionAllowed() {
    double pct = outlier.config.maxEjectionPercent();
    if (pct <= 0) {
      return false;
    }
    int limit = Math.max(1, (int) Math.floor(pct * members.size() / 100.0));
    int ejected = 0;
    for (EndpointState<E> m : members.values()) {
      if (m.ejected) {
        ejected++;
      }
    }
    return ejected < limit;
  }

  /** Must hold the lock; the caller rebuilds. */
  void doEject(EndpointState<E> st, EjectionReason reason, long now) {
    int count = st.ejectionCount + 1;
    long base = outlier.baseNanos;
    long max = outlier.maxNanos;
    long duration = base > max / count ? max : base * count;
    st.ejected = true;
    st.ejectionCount = count;
    st.ejectedUntil = now + duration;
    st.resetConsecutive();
    E e = st.endpoint;
    if (listeners.length != 0) {
      fire(l -> l.onEndpointEjected(name, e, reason, duration, count));
    }
  }

  /** One outlier-detection interval tick (called by the outlier detector). */
  void tick(long now) {
    lock.lock();
    try {
      if (outlier.tick(members.values(), now)) {
        rebuild(now);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Must hold the lock. */
  void returnFromEjection(EndpointState<E> st, long now) {
    st.ejected = false;
    if (slowStartNanos > 0) {
      st.availableSince = now;
    }
    E e = st.endpoint;
    if (listeners.length != 0) {
      fire(l -> l.onEndpointReturned(name, e));
    }
  }

  // ---- snapshot --------------------------------------------------------------------------------

  /** Must hold the lock. Recomputes candidates, weights and the strategy's structure. */
  private void rebuild(long now) {
    int n = members.size();
    EndpointState<E>[] all = toArray(members.values());
    List<E> memberList = new ArrayList<>(n);
    int eligible = 0;
    int available = 0;
    for (EndpointState<E> st : all) {
      memberList.add(st.endpoint);
      if (st.endpoint.weight() > 0) {
        eligible++;
        if (st.healthy && !st.ejected) {
          available++;
        }
      }
    }
    double share = eligible == 0 ? 0.0 : (double) available / eligible;
    boolean newPanic = eligible > 0 && share < panicThreshold;

    List<EndpointState<E>> cands = new ArrayList<>(n);
    for (EndpointState<E> st : all) {
      if (st.endpoint.weight() > 0 && (newPanic || (st.healthy && !st.ejected))) {
        cands.add(st);
      }
    }
    if (!newPanic && localZone != null) {
      cands = preferLocal(all, cands);
    }

    boolean rampWeights = slowStartNanos > 0 && factory.weighted();
    double[] weights = new double[cands.size()];
    boolean ramping = false;
    for (EndpointState<E> st : all) {
      st.available = false;
      st.weightFactor = 1.0;
    }
    for (int i = 0; i < weights.length; i++) {
      EndpointState<E> st = cands.get(i);
      double f = rampWeights ? rampFactor(st, now) : 1.0;
      if (f < 1.0) {
        ramping = true;
      }
      st.available = true;
      st.weightFactor = f;
      weights[i] = st.endpoint.weight() * f;
    }
    EndpointState<E>[] candArray = toArray(cands);
    Selector<E> selector =
        candArray.length == 0 ? null : factory.create(new Candidates<>(candArray, weights, this));
    long step = Math.max(1L, slowStartNanos / RAMP_STEPS);
    snapshot =
        new Snapshot<>(
            all,
            Collections.unmodifiableList(memberList),
            candArray,
            selector,
            eligible,
            available,
            share,
            newPanic,
            ramping,
            now + step);
    if (newPanic != panic) {
      panic = newPanic;
      if (newPanic) {
        if (listeners.length != 0) {
          fire(l -> l.onPanicEntered(name, share));
        }
      } else {
        if (listeners.length != 0) {
          fire(l -> l.onPanicLeft(name, share));
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Endpoint> EndpointState<E>[] toArray(Collection<EndpointState<E>> c) {
    return (EndpointState<E>[]) c.toArray(new EndpointState<?>[0]);
  }

  /** Keeps only local-zone candidates while enough of the local zone is available. */
  private List<EndpointState<E>> preferLocal(EndpointState<E>[] all, List<EndpointState<E>> cands) {
    int localEligible = 0;
    for (EndpointState<E> st : all) {
      if (st.endpoint.weight() > 0 && localZone.equals(st.endpoint.zone())) {
        localEligible++;
      }
    }
    List<EndpointState<E>> local = new ArrayList<>();
    for (EndpointState<E> st : cands) {
      if (localZone.equals(st.endpoint.zone())) {
        local.add(st);
      }
    }
    if (!local.isEmpty() && local.size() >= minLocalShare * localEligible) {
      return local;
    }
    return cands;
  }

  /** Slow-start factor: {@code max(min, (elapsed / window)^(1 / aggression))}. */
  private double rampFactor(EndpointState<E> st, long now) {
    long since = st.availableSince;
    if (since == EndpointState.NOT_RAMPING) {
      return 1.0;
    }
    long elapsed = now - since;
    if (elapsed >= slowStartNanos) {
      st.availableSince = EndpointState.NOT_RAMPING;
      return 1.0;
    }
    if (elapsed <= 0) {
      return slowStartMinFactor;
    }
    double f = Math.pow((double) elapsed / slowStartNanos, slowStartExponent);
    return Math.max(slowStartMinFactor, f);
  }

  // ---- views -----------------------------------------------------------------------------------

  @Override
  public List<E> endpoints() {
    return snapshot.memberList;
  }

  @Override
  public double healthyShare() {
    return snapshot.healthyShare;
  }

  @Override
  public boolean inPanic() {
    return snapshot.panic;
  }

  @Override
  public Strategy strategy() {
    return strategy;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<EndpointStatus> status(String endpointId) {
    Objects.requireNonNull(endpointId, "endpointId must not be null");
    for (EndpointState<E> st : snapshot.members) {
      if (st.id.equals(endpointId)) {
        double latency =
            tracksLatency ? st.latencyEstimate(ticker.read(), latencyDecayNanos) : -1.0;
        return Optional.of(
            new EndpointStatus(
                st.endpoint,
                st.inFlight(),
                st.healthy,
                st.ejected,
                st.ejectionCount,
                st.available,
                st.weightFactor,
                latency));
      }
    }
    return Optional.empty();
  }

  /**
   * The states of all members, in member order (for tests and diagnostics).
   *
   * @return a copy of the array
   */
  public List<EndpointState<E>> states() {
    return List.of(snapshot.members);
  }

  /**
   * The current candidates (for tests and diagnostics).
   *
   * @return the candidates in member order
   */
  public List<EndpointState<E>> candidates() {
    return List.of(snapshot.candidates);
  }

  long totalInFlight() {
    return totalInFlight == null ? 0 : totalInFlight.sum();
  }

  // ---- listeners -------------------------------------------------------------------------------

  @Override
  public void addListener(LoadBalancerListener listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    lock.lock();
    try {
      LoadBalancerListener[] ls = listeners;
      LoadBalancerListener[] more = Arrays.copyOf(ls, ls.length + 1);
      more[ls.length] = listener;
      listeners = more;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void removeListener(LoadBalancerListener listener) {
    lock.lock();
    try {
      List<LoadBalancerListener> ls = new ArrayList<>(Arrays.asList(listeners));
      if (ls.remove(listener)) {
        listeners = ls.toArray(NO_LISTENERS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Dispatches an event; callers check for listeners first so no lambda is created without. */
  private void fire(Consumer<LoadBalancerListener> event) {
    LoadBalancerListener[] ls = listeners;
    for (LoadBalancerListener l : ls) {
      try {
        event.accept(l);
      } catch (RuntimeException ignored) {
        // a listener must not break balancing
      }
    }
  }

  /**
   * Members by id (for the outlier detector; must hold the lock).
   *
   * @return the live map
   */
  Map<String, EndpointState<E>> membersLocked() {
    return members;
  }

  @Override
  public String toString() {
    Snapshot<E> s = snapshot;
    return "LoadBalancer{"
        + name
        + ", "
        + strategy
        + ", "
        + s.members.length
        + " endpoints, "
        + s.candidates.length
        + " candidates"
        + (s.panic ? ", PANIC" : "")
        + '}';
  }
}
