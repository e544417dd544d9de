package io.dsblocks.loadbalancer.proxy;

/**
 * A snapshot of a proxy's counters since it started, from {@link L7Proxy#stats()} or {@link
 * L4Proxy#stats()}. Request counters stay 0 for the L4 proxy.
 *
 * <p>Immutable and thread-safe; the counters are read one by one, so a snapshot taken under load is
 * not an atomic cut across them.
 *
 * @param connectionsAccepted client connections accepted (including those rejected at once)
 * @param connectionsActive client connections open now
 * @param connectionsRejected client connections closed at once because of the connection limit
 * @param backendConnectionsOpened backend connections established
 * @param backendConnectionsReused requests sent on an already open, pooled backend connection
 * @param backendConnectFailures backend connection attempts that failed
 * @param requests HTTP requests received (every request head, including rejected ones)
 * @param localResponses requests answered by the proxy itself (errors, limits, filters)
 * @param retries attempts retried on another backend
 * @param retriesDenied retries refused by the retry budget
 * @param bytesFromClients bytes received from clients (L4: all; L7: request bodies)
 * @param bytesToClients bytes sent to clients (L4: all; L7: response bodies)
 * @param authDenied requests denied by authentication or authorization (401 or 403)
 * @param tlsHandshakeFailures client connections whose TLS handshake failed or timed out
 * @param http2Connections client connections that negotiated HTTP/2
 */
public record ProxyStats(
    long connectionsAccepted,
    long connectionsActive,
    long connectionsRejected,
    long backendConnectionsOpened,
    long backendConnectionsReused,
    long backendConnectFailures,
    long requests,
    long localResponses,
    long retries,
    long retriesDenied,
    long bytesFromClients,
    long bytesToClients,
    long authDenied,
    long tlsHandshakeFailures,
    long http2Connections) {}
