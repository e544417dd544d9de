package io.dsblocks.loadbalancer.dns;

/**
 * Round-trip times between client regions and the regions that {@link RoutingPolicy#LATENCY
 * latency} values live in. {@link RttTable} is a built-in table fed by measurements.
 *
 * <p>For each candidate value the router asks {@code rttNanos(clientRegion, valueRegion)}; when
 * that is unknown (or the client's region is unknown) it asks again with {@link #ANY_REGION} as the
 * client region, so a table can hold a global fallback row. Values whose RTT stays unknown rank
 * after every measured one.
 *
 * <p>Thread-safety: implementations must be thread-safe, fast and non-blocking: they are called
 * concurrently from the responder's I/O threads.
 */
@FunctionalInterface
public interface LatencySource {
  /** The client region that stands for "any client": the fallback row of an RTT table. */
  String ANY_REGION = "*";

  /**
   * The current round-trip-time estimate.
   *
   * @param clientRegion the client's region, or {@link #ANY_REGION}
   * @param targetRegion the region a value is served from
   * @return the RTT in nanoseconds, or a negative number if unknown
   */
  long rttNanos(String clientRegion, String targetRegion);

  /**
   * A source with no measurements: latency sets then answer their first healthy value (in
   * configuration order), or the one in the client's own region if there is one.
   *
   * @return the source
   */
  static LatencySource none() {
    return (client, target) -> -1;
  }
}
