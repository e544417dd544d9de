package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.proxy.ProxyStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link ProxyStats}. Striped adders, because every event loop bumps them on
 * its hot path and a shared atomic would bounce one cache line between cores.
 *
 * <p>Thread-safe.
 */
public final class ProxyCounters {
  /** Client connections accepted. */
  public final LongAdder connectionsAccepted = new LongAdder();

  /** Client connections closed at once (limit). */
  public final LongAdder connectionsRejected = new LongAdder();

  /** Backend connections established. */
  public final LongAdder backendConnectionsOpened = new LongAdder();

  /** Requests sent on a pooled backend connection. */
  public final LongAdder backendConnectionsReused = new LongAdder();

  /** Failed backend connects. */
  public final LongAdder backendConnectFailures = new LongAdder();

  /** Request heads received. */
  public final LongAdder requests = new LongAdder();

  /** Locally answered requests. */
  public final LongAdder localResponses = new LongAdder();

  /** Retried attempts. */
  public final LongAdder retries = new LongAdder();

  /** Retries refused by the budget. */
  public final LongAdder retriesDenied = new LongAdder();

  /** Bytes from clients. */
  public final LongAdder bytesFromClients = new LongAdder();

  /** Bytes to clients. */
  public final LongAdder bytesToClients = new LongAdder();

  /** Requests denied by auth. */
  public final LongAdder authDenied = new LongAdder();

  /** Failed TLS handshakes. */
  public final LongAdder tlsHandshakeFailures = new LongAdder();

  /** Connections that negotiated HTTP/2. */
  public final LongAdder http2Connections = new LongAdder();

  /**
   * Reads every counter.
   *
   * @param activeConnections the current number of open client connections
   * @return the snapshot
   */
  public ProxyStats snapshot(long activeConnections) {
    return new ProxyStats(
        connectionsAccepted.sum(),
        activeConnections,
        connectionsRejected.sum(),
        backendConnectionsOpened.sum(),
        backendConnectionsReused.sum(),
        backendConnectFailures.sum(),
        requests.sum(),
        localResponses.sum(),
        retries.sum(),
        retriesDenied.sum(),
        bytesFromClients.sum(),
        bytesToClients.sum(),
        authDenied.sum(),
        tlsHandshakeFailures.sum(),
        http2Connections.sum());
  }
}
