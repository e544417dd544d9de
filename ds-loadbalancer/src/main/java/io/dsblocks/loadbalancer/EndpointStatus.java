package io.dsblocks.loadbalancer;

/**
 * A point-in-time view of one endpoint inside a {@link LoadBalancer}, from {@link
 * LoadBalancer#status(String)}.
 *
 * <p>Immutable and thread-safe; the values may be stale as soon as they are returned.
 *
 * @param endpoint the endpoint
 * @param inFlight requests picked and not yet reported
 * @param healthy the active health state (true unless a health check or {@link
 *     LoadBalancer#setHealthy} said otherwise)
 * @param ejected whether outlier detection currently ejects it
 * @param ejectionCount consecutive ejections (drives the ejection backoff; decays while healthy)
 * @param available whether strategies may pick it right now (weight above 0, healthy and not
 *     ejected, or any endpoint with weight above 0 during panic)
 * @param weightFactor the slow-start factor in (0, 1] applied to its weight (1 when not ramping)
 * @param latencyEstimateNanos the decayed peak-EWMA latency estimate, or -1 when the strategy does
 *     not track latency
 */
public record EndpointStatus(
    Endpoint endpoint,
    long inFlight,
    boolean healthy,
    boolean ejected,
    int ejectionCount,
    boolean available,
    double weightFactor,
    double latencyEstimateNanos) {}
