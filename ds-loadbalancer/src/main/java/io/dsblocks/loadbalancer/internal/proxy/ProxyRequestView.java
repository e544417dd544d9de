package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.auth.AuthPrincipal;
import io.dsblocks.loadbalancer.auth.AuthRequest;
import io.dsblocks.loadbalancer.proxy.ProxyRequest;
import io.dsblocks.loadbalancer.tls.TlsSessions;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The {@link ProxyRequest} given to filters, over the live request head (changes are forwarded).
 * Also the header lookup used for route matching, hence the {@link Function} view.
 *
 * <p>Not thread-safe: used on the connection's event loop during one request.
 */
final class ProxyRequestView implements ProxyRequest, Function<String, String> {
  private final HttpRequest request;
  private final Channel channel;
  private final String path;
  private final String host;
  private String route = "-";
  private AuthPrincipal principal;
  private AuthRequest authRequest;

  ProxyRequestView(HttpRequest request, Channel channel) {
    this.request = request;
    this.channel = channel;
    this.path = pathOf(request.uri());
    this.host = hostOf(request);
  }

  void route(String name) {
    this.route = name;
  }

  void principal(AuthPrincipal p) {
    this.principal = p;
  }

  Channel channel() {
    return channel;
  }

  /** The auth view of this request, built once and shared by rules and route policy. */
  AuthRequest authRequest() {
    return authRequest;
  }

  void authRequest(AuthRequest r) {
    this.authRequest = r;
  }

  /** The path of a request target in origin form or absolute form, without query or fragment. */
  static String pathOf(String uri) {
    int start = 0;
    int scheme = uri.indexOf("://");
    if (scheme > 0 && uri.indexOf('/') > scheme) {
      int slash = uri.indexOf('/', scheme + 3);
      if (slash < 0) {
        return "/";
      }
      start = slash;
    }
    int end = uri.length();
    int q = uri.indexOf('?', start);
    if (q >= 0) {
      end = q;
    }
    int f = uri.indexOf('#', start);
    if (f >= 0 && f < end) {
      end = f;
    }
    String p = uri.substring(start, end);
    return p.isEmpty() ? "/" : p;
  }

  /** The Host header without port, lower case; empty if absent. */
  static String hostOf(HttpRequest request) {
    String h = request.headers().get(io.netty.handler.codec.http.HttpHeaderNames.HOST);
    if (h == null) {
      return "";
    }
    h = h.trim();
    int end = h.length();
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      end = close < 0 ? h.length() : close + 1;
    } else {
      int colon = h.lastIndexOf(':');
      if (colon >= 0) {
        end = colon;
      }
    }
    return h.substring(0, end).toLowerCase(Locale.ROOT);
  }

  @Override
  public String apply(String headerName) {
    return request.headers().get(headerName);
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String uri() {
    return request.uri();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public String header(String name) {
    return request.headers().get(name);
  }

  @Override
  public List<String> headers(String name) {
    return request.headers().getAll(name);
  }

  @Override
  public Set<String> headerNames() {
    return request.headers().names();
  }

  @Override
  public void setHeader(String name, String value) {
    request.headers().set(name, value);
  }

  @Override
  public void removeHeader(String name) {
    request.headers().remove(name);
  }

  HttpHeaders rawHeaders() {
    return request.headers();
  }

  @Override
  public SocketAddress clientAddress() {
    return channel.remoteAddress();
  }

  @Override
  public boolean secure() {
    // TlsSessions also looks at the parent connection of an HTTP/2 stream channel.
    return TlsSessions.sslHandler(channel) != null;
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    SslHandler ssl = TlsSessions.sslHandler(channel);
    if (ssl == null) {
      return List.of();
    }
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      List<X509Certificate> out = new ArrayList<>(chain.length);
      for (Certificate c : chain) {
        if (c instanceof X509Certificate) {
          out.add((X509Certificate) c);
        }
      }
      return List.copyOf(out);
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // the client presented no certificate
    }
  }

  @Override
  public String route() {
    return route;
  }

  @Override
  public Optional<AuthPrincipal> principal() {
    return Optional.ofNullable(principal);
  }
}
