package io.dsblocks.loadbalancer.dns;

/**
 * What a {@link GlobalRouter} decided for a query, in DNS terms.
 *
 * <p>Thread-safety: immutable enum, safe from any thread.
 */
public enum RoutingOutcome {
  /** Records of the requested type were chosen (possibly after a CNAME chain): NOERROR. */
  ANSWER,
  /**
   * The name exists but has no record of the requested type, or its policy chose nothing (a
   * geolocation set without a match or default): NOERROR with an empty answer.
   */
  NODATA,
  /** The name lies in one of our zones but does not exist there: NXDOMAIN. */
  NXDOMAIN,
  /** The name lies outside every configured zone: REFUSED (we are not a recursive resolver). */
  REFUSED
}
