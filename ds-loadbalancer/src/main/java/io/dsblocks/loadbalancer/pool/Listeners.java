package io.dsblocks.loadbalancer.pool;

import io.dsblocks.loadbalancer.LoadBalancerListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A copy-on-write listener array shared by the pools. Thread-safe. */
final class Listeners {
  private static final LoadBalancerListener[] NONE = {};
  private volatile LoadBalancerListener[] listeners = NONE;

  synchronized void add(LoadBalancerListener l) {
    Objects.requireNonNull(l, "listener must not be null");
    LoadBalancerListener[] more = Arrays.copyOf(listeners, listeners.length + 1);
    more[more.length - 1] = l;
    listeners = more;
  }

  synchronized void remove(LoadBalancerListener l) {
    List<LoadBalancerListener> ls = new ArrayList<>(Arrays.asList(listeners));
    if (ls.remove(l)) {
      listeners = ls.toArray(NONE);
    }
  }

  void failover(String pool, String from, String to) {
    for (LoadBalancerListener l : listeners) {
      try {
        l.onFailover(pool, from, to);
      } catch (RuntimeException ignored) {
        // a listener must not break balancing
      }
    }
  }
}
