package io.dsblocks.loadbalancer.dns;

import java.net.InetAddress;

/**
 * Maps a client address to a {@link ClientLocation}. The {@link DnsResponder} calls it with the
 * EDNS Client Subnet address when a query carries one (the resolver is acting for a client
 * elsewhere) and with the query's source address otherwise.
 *
 * <p>{@link CidrGeoResolver} is a built-in longest-prefix table; plug in a GeoIP database by
 * implementing this interface.
 *
 * <p>Thread-safety: implementations must be thread-safe; the responder calls them concurrently from
 * its I/O threads, once per query, so they should also be fast and must not block.
 */
@FunctionalInterface
public interface GeoResolver {
  /**
   * Locates a client.
   *
   * @param address the client's (or its subnet's) address; never null
   * @return the location, {@link ClientLocation#UNKNOWN} if nothing is known; never null
   */
  ClientLocation locate(InetAddress address);

  /**
   * A resolver that knows nothing: every client gets default geolocation values.
   *
   * @return the resolver
   */
  static GeoResolver unknown() {
    return address -> ClientLocation.UNKNOWN;
  }
}
