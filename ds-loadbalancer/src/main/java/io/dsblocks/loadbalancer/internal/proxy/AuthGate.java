package io.dsblocks.loadbalancer.internal.proxy;

import io.dsblocks.loadbalancer.auth.AuthPolicy;
import io.dsblocks.loadbalancer.auth.AuthRequest;
import io.dsblocks.loadbalancer.auth.AuthResult;
import io.dsblocks.loadbalancer.auth.AuthRules;
import io.dsblocks.loadbalancer.tls.TlsSessions;
import java.util.Map;

/**
 * Runs the proxy's auth rules and a route's auth policy for one request, and answers a denial: the
 * result's status (401 with its {@code WWW-Authenticate} challenge, or 403) with its reason as a
 * one-line body, counted and logged as {@code auth_denied}. The request then never reaches a
 * backend. An allowed request carries its principal on to the filters.
 *
 * <p>Only used when some auth is configured, so a proxy without auth pays nothing for it.
 *
 * <p>Stateless and thread-safe; each call runs on the client connection's event loop.
 */
final class AuthGate {
  private AuthGate() {}

  /**
   * Normalizes the request target in place (see {@link RequestPaths}).
   *
   * @return false if it was refused and answered with 400
   */
  static boolean normalizeTarget(Exchange exchange, io.netty.handler.codec.http.HttpRequest req) {
    String uri = req.uri();
    String normalized = RequestPaths.normalize(uri);
    if (normalized == null) {
      exchange.respondLocal(400, "ambiguous_path", Map.of(), "ambiguous request path\n");
      return false;
    }
    if (normalized != uri) { // identity: normalize returns its argument when nothing changed
      req.setUri(normalized);
    }
    return true;
  }

  /**
   * Evaluates {@code rules} (if not null) or {@code policy}.
   *
   * @return true if the request may go on; otherwise it has been answered
   */
  static boolean allow(
      Exchange exchange,
      HttpProxyRuntime rt,
      ProxyRequestView view,
      AuthRules rules,
      AuthPolicy policy) {
    AuthResult r;
    try {
      AuthRequest req = view.authRequest();
      if (req == null) {
        req =
            AuthRequest.of(
                view.method(),
                view.path(),
                view.header("host"),
                view.rawHeaders()::getAll,
                TlsSessions.peerCertificates(view.channel()));
        view.authRequest(req);
      }
      r = rules != null ? rules.evaluate(req) : policy.evaluate(req);
    } catch (RuntimeException e) {
      // Policies fail closed on authenticator errors themselves; this is a bug elsewhere.
      exchange.respondLocal(500, "auth_error", Map.of(), null);
      return false;
    }
    if (r.isAllowed()) {
      r.principal().ifPresent(view::principal);
      return true;
    }
    rt.counters.authDenied.increment();
    String challenge = r.wwwAuthenticate().orElse(null);
    exchange.respondLocal(
        r.status(),
        "auth_denied",
        challenge == null ? Map.of() : Map.of("www-authenticate", challenge),
        r.reason() + "\n");
    return false;
  }
}
