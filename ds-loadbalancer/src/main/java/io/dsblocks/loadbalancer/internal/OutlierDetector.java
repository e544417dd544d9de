package io.dsblocks.loadbalancer.internal;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.health.EjectionReason;
import io.dsblocks.loadbalancer.health.OutlierDetection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passive outlier detection for one balancer. Consecutive-failure rules run on the reporting thread
 * with lock-free counters and only take the balancer's lock when a threshold is crossed; interval
 * ticks are claimed by one reporting thread with a CAS on the next tick time, so no timer thread is
 * needed.
 *
 * <p>Thread-safety: thread-safe; its state is atomic or guarded by the balancer's lock.
 *
 * @param <E> endpoint type
 */
final class OutlierDetector<E extends Endpoint> {
  final OutlierDetection config;
  final long baseNanos;
  final long maxNanos;
  private final long intervalNanos;
  private final DefaultLoadBalancer<E> lb;
  private final AtomicLong nextTick;

  OutlierDetector(DefaultLoadBalancer<E> lb, OutlierDetection config, long now) {
    this.lb = lb;
    this.config = config;
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = config.maxEjectionTime().toNanos();
    this.intervalNanos = config.interval().toNanos();
    this.nextTick = new AtomicLong(now + intervalNanos);
  }

  void onSuccess(EndpointState<E> st, long now) {
    st.resetConsecutive();
    if (config.successRate()) {
      st.countInterval(false);
    }
    maybeTick(now);
  }

  void onFailure(EndpointState<E> st, long now, boolean is5xx) {
    int failures = st.recordConsecutiveFailure();
    int fiveXx = is5xx ? st.recordConsecutive5xx() : 0;
    if (config.successRate()) {
      st.countInterval(true);
    }
    EjectionReason reason = null;
    if (is5xx && trips(fiveXx, config.consecutive5xx())) {
      reason = EjectionReason.CONSECUTIVE_5XX;
    } else if (trips(failures, config.consecutiveFailures())) {
      reason = EjectionReason.CONSECUTIVE_FAILURES;
    }
    if (reason != null && !st.ejected) {
      lb.eject(st, reason, now);
    }
    maybeTick(now);
  }

  /**
   * True exactly when the run reaches the threshold or a multiple of it: each crossing is seen by
   * one thread only (the counter is an atomic increment), and an ejection refused by the max
   * percentage is retried after another full run instead of on every failure.
   */
  static boolean trips(int run, int threshold) {
    return threshold > 0 && run >= threshold && run % threshold == 0;
  }

  private void maybeTick(long now) {
    long due = nextTick.get();
    if (now - due >= 0 && nextTick.compareAndSet(due, now + intervalNanos)) {
      lb.tick(now);
    }
  }

  /**
   * One interval tick, under the balancer's lock: end finished ejections, decay the backoff of
   * endpoints that stayed in, run the success-rate pass.
   *
   * @return whether anything changed that needs a rebuild
   */
  boolean tick(Collection<EndpointState<E>> members, long now) {
    boolean changed = false;
    for (EndpointState<E> st : members) {
      if (st.ejected) {
        if (now - st.ejectedUntil >= 0) {
          lb.returnFromEjection(st, now);
          changed = true;
        }
      } else if (st.ejectionCount > 0) {
        st.ejectionCount--;
      }
    }
    List<EndpointState<E>> judged = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    for (EndpointState<E> st : members) {
      long counts = st.drainInterval();
      long total = counts & 0xFFFF_FFFFL;
      long failed = counts >>> 32;
      if (config.successRate() && !st.ejected && total >= config.successRateRequestVolume()) {
        judged.add(st);
        rates.add(1.0 - (double) failed / total);
      }
    }
    if (config.successRate() && judged.size() >= config.successRateMinimumHosts()) {
      double mean = 0;
      for (double r : rates) {
        mean += r;
      }
      mean /= rates.size();
      double var = 0;
      for (double r : rates) {
        var += (r - mean) * (r - mean);
      }
      double stdev = Math.sqrt(var / rates.size());
      double threshold = mean - config.successRateStdevFactor() * stdev;
      for (int i = 0; i < judged.size(); i++) {
        EndpointState<E> st = judged.get(i);
        if (rates.get(i) < threshold && !st.ejected && lb.ejectionAllowed()) {
          lb.doEject(st, EjectionReason.SUCCESS_RATE, now);
          changed = true;
        }
      }
    }
    return changed;
  }
}
