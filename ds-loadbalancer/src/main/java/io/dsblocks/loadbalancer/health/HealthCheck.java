package io.dsblocks.loadbalancer.health;

import io.dsblocks.loadbalancer.Endpoint;

/**
 * One active probe of one endpoint; {@link HealthChecks} has TCP and HTTP checks, implement this
 * for anything else (a gRPC health call, a Redis PING). A check must bound its own duration (a
 * connect/read timeout): it runs on a thread of the {@link HealthChecker}'s scheduler.
 *
 * <p>Implementations must be thread-safe: different endpoints are checked concurrently.
 */
@FunctionalInterface
public interface HealthCheck {

  /**
   * Probes an endpoint once.
   *
   * @param endpoint the endpoint
   * @return true if healthy; false or an exception if not
   * @throws Exception any failure, counted as unhealthy
   */
  boolean check(Endpoint endpoint) throws Exception;
}
