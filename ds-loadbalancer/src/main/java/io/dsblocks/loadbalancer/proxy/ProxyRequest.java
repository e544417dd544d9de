package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.auth.AuthPrincipal;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The request an {@link HttpFilter} sees: the head as received from the client, the client's
 * address and, with TLS, its certificate chain. Header changes made here (e.g. removing an {@code
 * Authorization} header, adding an identity header) are what the backend receives; the proxy adds
 * its forwarding headers afterwards, and hop-by-hop headers are already gone.
 *
 * <p>Not thread-safe: valid only during the {@link HttpFilter#apply} call, on the connection's
 * event-loop thread. Do not keep a reference.
 */
public interface ProxyRequest {

  /**
   * The method.
   *
   * @return e.g. {@code "GET"}
   */
  String method();

  /**
   * The request target as received.
   *
   * @return path and query, e.g. {@code "/api/users?id=7"}
   */
  String uri();

  /**
   * The path of the request target (no query).
   *
   * @return e.g. {@code "/api/users"}
   */
  String path();

  /**
   * The {@code Host} header without port, lower case.
   *
   * @return the host, or the empty string if absent
   */
  String host();

  /**
   * The first value of a header.
   *
   * @param name case-insensitive header name
   * @return the value, or null if absent
   */
  String header(String name);

  /**
   * All values of a header.
   *
   * @param name case-insensitive header name
   * @return the values in order, empty if absent
   */
  List<String> headers(String name);

  /**
   * The names of all headers present.
   *
   * @return the names, as received
   */
  Set<String> headerNames();

  /**
   * Replaces a header (all its values) with one value.
   *
   * @param name the header name
   * @param value the value
   */
  void setHeader(String name, String value);

  /**
   * Removes a header.
   *
   * @param name case-insensitive header name
   */
  void removeHeader(String name);

  /**
   * The client's address.
   *
   * @return the remote address of the client connection
   */
  SocketAddress clientAddress();

  /**
   * Whether the client connection is TLS (an {@code SslHandler} is in its pipeline, or in its
   * parent connection's for an HTTP/2 stream).
   *
   * @return true for HTTPS
   */
  boolean secure();

  /**
   * The client's certificate chain from the TLS handshake, leaf first.
   *
   * @return the chain, empty without TLS or when the client sent no certificate
   */
  List<X509Certificate> peerCertificates();

  /**
   * The name of the route the request matched.
   *
   * @return the route name
   */
  String route();

  /**
   * Who the request was authenticated as by the proxy's {@link ProxyConfig#auth()} rules or the
   * route's {@link Route#auth()} policy (the route's wins when both allowed), e.g. to pass the
   * identity on in a header.
   *
   * @return the principal, or empty if no auth policy applied
   */
  default Optional<AuthPrincipal> principal() {
    return Optional.empty();
  }
}
