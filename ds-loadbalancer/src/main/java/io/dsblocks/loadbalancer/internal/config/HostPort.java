package io.dsblocks.loadbalancer.internal.config;

/**
 * A {@code host:port} pair ({@code [::1]:8080} for IPv6 literals). Immutable and thread-safe.
 *
 * @param host the host, without brackets
 * @param port the port
 */
record HostPort(String host, int port) {

  /**
   * Parses {@code host:port}.
   *
   * @param n the node, for errors
   * @param text the text
   * @param minPort 0 for listen addresses (any free port), 1 for endpoints
   * @return the pair
   */
  static HostPort parse(ConfigNode n, String text, int minPort) {
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    String host;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0 || close + 1 != colon) {
        throw n.error("must be host:port ([address]:port for IPv6), was '" + text + "'");
      }
      host = t.substring(1, close);
    } else {
      if (colon <= 0 || t.indexOf(':') != colon) {
        throw n.error("must be host:port ([address]:port for IPv6), was '" + text + "'");
      }
      host = t.substring(0, colon);
    }
    String p = t.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(p);
    } catch (NumberFormatException e) {
      throw n.error("port must be an integer in [" + minPort + ", 65535], was '" + p + "'");
    }
    if (port < minPort || port > 65_535) {
      throw n.error("port must be in [" + minPort + ", 65535], was " + port);
    }
    return new HostPort(host, port);
  }
}
