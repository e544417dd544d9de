package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Adds what a backend needs to know about the original request: {@code X-Forwarded-For} (the
 * client's address appended to any list already present, like nginx's {@code
 * $proxy_add_x_forwarded_for}), {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} (overwritten
 * unless the proxy trusts the client to set them), and {@code Via} on requests and responses (RFC
 * 9110 section 7.6.3: the received protocol version and this proxy's pseudonym).
 *
 * <p>Stateless and thread-safe.
 */
final class ForwardedHeaders {
  // AsciiString constants: their hash is computed once, not on every header lookup.
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  private static final AsciiString HTTP = AsciiString.cached("http");
  private static final AsciiString HTTPS = AsciiString.cached("https");

  private ForwardedHeaders() {}

  /**
   * Adds the forwarding headers to a request.
   *
   * @return whether the request has a {@code Host} header (looked up here anyway), so the caller
   *     need not look it up again
   */
  static boolean addToRequest(
      HttpHeaders headers,
      String ip,
      boolean secure,
      boolean trustClientHeaders,
      HttpVersion received,
      String viaName) {
    String existing = headers.get(X_FORWARDED_FOR);
    headers.set(X_FORWARDED_FOR, existing == null ? ip : existing + ", " + ip);
    if (!trustClientHeaders || !headers.contains(X_FORWARDED_PROTO)) {
      headers.set(X_FORWARDED_PROTO, secure ? HTTPS : HTTP);
    }
    String host = headers.get(HttpHeaderNames.HOST);
    if (host != null && (!trustClientHeaders || !headers.contains(X_FORWARDED_HOST))) {
      headers.set(X_FORWARDED_HOST, host);
    }
    addVia(headers, received, viaName);
    return host != null;
  }

  /**
   * Appends this hop to {@code Via}.
   *
   * @param viaName {@code "1.1 <pseudonym>"}, precomputed by the runtime
   */
  static void addVia(HttpHeaders headers, HttpVersion received, String viaName) {
    String hop =
        received == HttpVersion.HTTP_1_1
            ? viaName // precomputed "1.1 <name>" for the common case
            : received.majorVersion() + "." + received.minorVersion() + " " + viaName.substring(4);
    String existing = headers.get(HttpHeaderNames.VIA);
    headers.set(HttpHeaderNames.VIA, existing == null ? hop : existing + ", " + hop);
  }

  static String clientIp(SocketAddress address) {
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      if (inet.getAddress() != null) {
        String ip = inet.getAddress().getHostAddress();
        // IPv6 literals are bracketed so the value stays unambiguous (same form as Forwarded).
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
      }
      return inet.getHostString();
    }
    return "unknown";
  }
}
