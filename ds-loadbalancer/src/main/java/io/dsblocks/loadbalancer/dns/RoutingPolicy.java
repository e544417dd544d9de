package io.dsblocks.loadbalancer.dns;

/**
 * How a {@link RecordSet} chooses which of its values to answer with, modelled on Amazon Route 53's
 * routing policies.
 *
 * <p>Health: a value with a health-check id is answered only while {@link HealthSource} reports
 * that check healthy; a value without one is always healthy. When <em>every</em> value of a set is
 * unhealthy the set is routed as if all were healthy (Route 53 does the same): answering something
 * is better than answering nothing when the health checks themselves may be what is broken.
 *
 * <p>Thread-safety: immutable enum, safe from any thread.
 */
public enum RoutingPolicy {
  /**
   * Answers with every value of the set, in configuration order. Health checks are not allowed
   * (Route 53's simple routing ignores health; use {@link #MULTIVALUE} for health-aware lists).
   */
  SIMPLE,

  /**
   * Answers with one value chosen at random in proportion to its {@link
   * RecordValue.Builder#weight(int) weight}, among healthy values. Weight-0 values are chosen only
   * when no healthy value has a positive weight; if every weight is 0 the choice is uniform.
   */
  WEIGHTED,

  /**
   * Answers with the healthy value whose {@link RecordValue.Builder#region(String) region} has the
   * lowest measured round-trip time from the client's region, as reported by the router's {@link
   * LatencySource}.
   */
  LATENCY,

  /**
   * Answers with the {@link FailoverRole#PRIMARY primary} value while it is healthy, otherwise with
   * the {@link FailoverRole#SECONDARY secondary} if that one is healthy.
   */
  FAILOVER,

  /**
   * Answers with the value whose {@link GeoLocation} matches the client most specifically: country,
   * then continent, then the default location. Unhealthy matches are skipped in that order; no
   * match and no default location gives an empty answer (NODATA).
   */
  GEOLOCATION,

  /**
   * Answers with a random subset of up to {@link RecordSet.Builder#maxAnswers(int) 8} healthy
   * values, so clients spread over them and skip unhealthy ones.
   */
  MULTIVALUE
}
