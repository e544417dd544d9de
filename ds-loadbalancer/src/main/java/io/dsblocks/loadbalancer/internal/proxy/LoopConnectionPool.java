package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The idle keep-alive backend connections of one event loop, per pool and endpoint. Each event loop
 * has its own, and a backend connection is only ever used by client connections of the loop it was
 * created on, so no locks and no cross-thread hand-offs are needed (the same design as Envoy's
 * per-worker connection pools).
 *
 * <p>Reuse is last-in first-out: the most recently used connection is the least likely to have been
 * closed by the backend's idle timeout, and the others age out through the proxy's.
 *
 * <p>Not thread-safe: confined to its event loop.
 */
final class LoopConnectionPool {
  private final List<HashMap<String, ArrayDeque<Channel>>> byPool;

  LoopConnectionPool(int pools) {
    byPool = new ArrayList<>(pools);
    for (int i = 0; i < pools; i++) {
      byPool.add(new HashMap<>());
    }
  }

  /** An idle, still open connection to the endpoint, or null. */
  Channel poll(int pool, String endpointId) {
    ArrayDeque<Channel> idle = byPool.get(pool).get(endpointId);
    if (idle == null) {
      return null;
    }
    Channel ch;
    while ((ch = idle.pollFirst()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /**
   * Keeps a connection whose last exchange completed cleanly, or closes it if the endpoint already
   * has {@code max} idle ones.
   */
  void offer(int pool, String endpointId, Channel ch, int max) {
    if (max == 0 || !ch.isActive()) {
      ch.close();
      return;
    }
    ArrayDeque<Channel> idle =
        byPool.get(pool).computeIfAbsent(endpointId, k -> new ArrayDeque<>());
    if (idle.size() >= max) {
      ch.close();
      return;
    }
    idle.addFirst(ch);
  }

  /** Forgets a connection that closed while idle. */
  void remove(int pool, String endpointId, Channel ch) {
    ArrayDeque<Channel> idle = byPool.get(pool).get(endpointId);
    if (idle != null) {
      idle.remove(ch);
    }
  }

  /** Idle connections held for an endpoint (for tests and stats). */
  int idleCount(int pool, String endpointId) {
    ArrayDeque<Channel> idle = byPool.get(pool).get(endpointId);
    return idle == null ? 0 : idle.size();
  }
}
