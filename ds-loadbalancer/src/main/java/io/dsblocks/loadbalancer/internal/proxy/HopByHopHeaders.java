package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 section
 * 7.6.1), so they are never forwarded to the next hop: {@code Connection} and every header it
 * names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code Proxy-Authenticate}, {@code
 * Proxy-Authorization}, {@code TE}, {@code Trailer} and {@code Upgrade}. {@code Transfer-Encoding}
 * is hop-by-hop too, but Netty re-frames the body on the way out from it, so it is normalised
 * instead: a chunked message keeps exactly {@code Transfer-Encoding: chunked} and loses any {@code
 * Content-Length}.
 *
 * <p>Stateless and thread-safe.
 */
final class HopByHopHeaders {
  private static final List<AsciiString> ALWAYS =
      List.of(
          HttpHeaderNames.CONNECTION,
          // Deprecated in Netty because HTTP/2 forbids them; on HTTP/1.1 they still have to go.
          AsciiString.cached("keep-alive"),
          AsciiString.cached("proxy-connection"),
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.UPGRADE);

  private HopByHopHeaders() {}

  /**
   * Strips hop-by-hop headers in place.
   *
   * @param headers a request's or response's headers
   * @param chunked whether the message body is chunked (decided by the decoder from the original
   *     headers)
   */
  static void strip(HttpHeaders headers, boolean chunked) {
    // Headers named by Connection go first, before Connection itself is removed. Framing headers
    // are exempt: a client must not be able to make us drop Content-Length or Host and thereby
    // change how the next hop reads the message.
    List<String> connection =
        headers.contains(HttpHeaderNames.CONNECTION)
            ? headers.getAll(HttpHeaderNames.CONNECTION)
            : List.of(); // the common case on keep-alive traffic: no list to build
    for (int i = 0; i < connection.size(); i++) {
      String value = connection.get(i);
      int start = 0;
      while (start <= value.length()) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        String token = value.substring(start, end).trim();
        if (!token.isEmpty() && !isFraming(token)) {
          headers.remove(token);
        }
        start = end + 1;
      }
    }
    for (int i = 0; i < ALWAYS.size(); i++) {
      headers.remove(ALWAYS.get(i));
    }
    if (chunked) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    } else {
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    }
  }

  private static boolean isFraming(String token) {
    return token.equalsIgnoreCase("content-length")
        || token.equalsIgnoreCase("transfer-encoding")
        || token.equalsIgnoreCase("host");
  }
}
