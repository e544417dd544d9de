package io.dsblocks.loadbalancer.dns;

/**
 * The role of a value in a {@link RoutingPolicy#FAILOVER} record set.
 *
 * <p>Thread-safety: immutable enum, safe from any thread.
 */
public enum FailoverRole {
  /** Answered whenever it is healthy (and when every value of the set is unhealthy). */
  PRIMARY,
  /** Answered only while the primary is unhealthy and this value is healthy. */
  SECONDARY
}
