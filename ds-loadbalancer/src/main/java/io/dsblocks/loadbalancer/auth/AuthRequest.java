package io.dsblocks.loadbalancer.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What authentication and authorization look at: the request line, the host, the headers and the
 * client's TLS certificate chain. No Netty or servlet types, so the auth code is usable anywhere.
 *
 * <p>Instances are immutable and thread-safe (as long as the {@link RequestHeaders} view is not
 * changed while in use).
 */
public final class AuthRequest {
  private final String method;
  private final String path;
  private final String host;
  private final RequestHeaders headers;
  private final List<X509Certificate> clientCertificates;

  private AuthRequest(
      String method,
      String path,
      String host,
      RequestHeaders headers,
      List<X509Certificate> clientCertificates) {
    this.method = method;
    this.path = path;
    this.host = host;
    this.headers = headers;
    this.clientCertificates = clientCertificates;
  }

  /**
   * Creates a request.
   *
   * @param method the HTTP method, e.g. {@code GET}
   * @param path the request path (query allowed; it is ignored where paths are matched), as the
   *     proxy routes it
   * @param host the Host / :authority value, or {@code null}
   * @param headers the headers
   * @param clientCertificates the verified TLS client chain, leaf first, or {@code null} if none
   *     (see {@code io.dsblocks.loadbalancer.tls.TlsSessions#peerCertificates})
   * @return the request
   */
  public static AuthRequest of(
      String method,
      String path,
      String host,
      RequestHeaders headers,
      X509Certificate[] clientCertificates) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(headers, "headers");
    return new AuthRequest(
        method,
        path,
        host,
        headers,
        clientCertificates == null || clientCertificates.length == 0
            ? List.of()
            : List.of(clientCertificates));
  }

  /**
   * A request with headers only and no client certificate, for tests and non-TLS callers.
   *
   * @param method the HTTP method
   * @param path the path
   * @param headers the headers
   * @return the request
   */
  public static AuthRequest of(String method, String path, RequestHeaders headers) {
    return of(method, path, null, headers, null);
  }

  /**
   * The HTTP method.
   *
   * @return e.g. {@code GET}
   */
  public String method() {
    return method;
  }

  /**
   * The request path.
   *
   * @return e.g. {@code /api/orders?id=1}
   */
  public String path() {
    return path;
  }

  /**
   * The Host header (or HTTP/2 :authority).
   *
   * @return the host, possibly with a port, or {@code null}
   */
  public String host() {
    return host;
  }

  /**
   * The headers.
   *
   * @return a case-insensitive view
   */
  public RequestHeaders headers() {
    return headers;
  }

  /**
   * The client's verified certificate chain.
   *
   * @return an immutable list, leaf first; empty without mTLS
   */
  public List<X509Certificate> clientCertificates() {
    return clientCertificates;
  }

  @Override
  public String toString() {
    return method + " " + path + (host == null ? "" : " (host " + host + ")");
  }
}
