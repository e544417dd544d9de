package io.dsblocks.loadbalancer.auth;

/**
 * Establishes who made a request. Built-ins: {@link ApiKeyAuthenticator}, {@link JwtAuthenticator},
 * {@link MtlsAuthenticator}; route rules combine them with {@link AuthPolicy}.
 *
 * <p>Contract: return {@link AuthResult#noCredentials} when the request carries nothing of this
 * authenticator's kind (so another authenticator in an any-of policy may accept it), {@link
 * AuthResult#deny} with 401 when credentials are present but invalid, and {@link AuthResult#allow}
 * otherwise. Never throw for bad input; a thrown exception is treated as a 401 denial (fail
 * closed).
 *
 * <p>Implementations must be thread-safe and must not block: a proxy calls them on its I/O threads
 * for every request.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * Authenticates a request.
   *
   * @param request the request
   * @return allowed with a principal, denied, or no credentials
   */
  AuthResult authenticate(AuthRequest request);
}
