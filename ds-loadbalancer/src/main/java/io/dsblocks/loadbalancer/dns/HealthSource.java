package io.dsblocks.loadbalancer.dns;

/**
 * Reports the health of the checks that {@link RecordValue}s reference by {@link
 * RecordValue.Builder#healthCheck(String) id}. The router asks on every query, so a change takes
 * effect on the next answer (subject to the TTLs resolvers already cached).
 *
 * <p>Adapt your health checker here (an active checker, a pool's view of its endpoints, an
 * operator's switch); {@link ManualHealthSource} is a ready-made table of flags.
 *
 * <p>Thread-safety: implementations must be thread-safe, fast and non-blocking: they are called
 * concurrently from the responder's I/O threads. Return a cached verdict, never probe inline.
 */
@FunctionalInterface
public interface HealthSource {
  /**
   * Whether a health check currently passes.
   *
   * @param healthCheckId the id a record value references
   * @return true if healthy
   */
  boolean isHealthy(String healthCheckId);

  /**
   * A source that reports every check healthy.
   *
   * @return the source
   */
  static HealthSource alwaysHealthy() {
    return id -> true;
  }
}
