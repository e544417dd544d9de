package io.dsblocks.loadbalancer.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of authenticating and authorizing a request: allowed as a {@link AuthPrincipal}, or
 * denied with an HTTP status (401 or 403), a reason and an optional {@code WWW-Authenticate} value.
 *
 * <p>Three outcomes, because composing authenticators needs to tell "no credentials of my kind"
 * (another authenticator may accept the request) from "bad credentials" (explain why):
 *
 * <ul>
 *   <li>{@link Outcome#ALLOWED};
 *   <li>{@link Outcome#DENIED}: credentials were presented and are invalid (401), or the identity
 *       may not do this (403);
 *   <li>{@link Outcome#NO_CREDENTIALS}: nothing this authenticator understands was presented (401).
 * </ul>
 *
 * <p>The proxy answers a denial with {@link #status()}, sets {@code WWW-Authenticate} to {@link
 * #wwwAuthenticate()} when present, and logs {@link #reason()} (which is safe to show to the
 * client: it never contains a credential).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AuthResult {
  /** The kind of outcome. Enum constants are immutable and thread-safe. */
  public enum Outcome {
    /** The request may proceed. */
    ALLOWED,
    /** Credentials were invalid (401) or not permitted here (403). */
    DENIED,
    /** No credentials this authenticator understands (401). */
    NO_CREDENTIALS
  }

  private final Outcome outcome;
  private final AuthPrincipal principal;
  private final int status;
  private final String reason;
  private final String wwwAuthenticate;

  private AuthResult(
      Outcome outcome, AuthPrincipal principal, int status, String reason, String wwwAuthenticate) {
    this.outcome = outcome;
    this.principal = principal;
    this.status = status;
    this.reason = reason;
    this.wwwAuthenticate = wwwAuthenticate;
  }

  /**
   * Allows the request.
   *
   * @param principal who made it
   * @return the result
   */
  public static AuthResult allow(AuthPrincipal principal) {
    return new AuthResult(
        Outcome.ALLOWED, Objects.requireNonNull(principal, "principal"), 200, "allowed", null);
  }

  /**
   * Denies the request.
   *
   * @param status 401 (not authenticated) or 403 (authenticated but not permitted)
   * @param reason why, for logs and the response; must not contain credentials
   * @param wwwAuthenticate the challenge, or {@code null}
   * @return the result
   */
  public static AuthResult deny(int status, String reason, String wwwAuthenticate) {
    checkStatus(status);
    return new AuthResult(
        Outcome.DENIED, null, status, Objects.requireNonNull(reason, "reason"), wwwAuthenticate);
  }

  /**
   * Says no credentials of this authenticator's kind were presented (status 401).
   *
   * @param reason e.g. "no bearer token"
   * @param challenge the {@code WWW-Authenticate} challenge for this scheme, or {@code null}
   * @return the result
   */
  public static AuthResult noCredentials(String reason, String challenge) {
    return new AuthResult(
        Outcome.NO_CREDENTIALS, null, 401, Objects.requireNonNull(reason, "reason"), challenge);
  }

  private static void checkStatus(int status) {
    if (status != 401 && status != 403) {
      throw new IllegalArgumentException("status is " + status + "; allowed: 401 or 403");
    }
  }

  /**
   * Whether the request may proceed.
   *
   * @return {@code true} for {@link Outcome#ALLOWED}
   */
  public boolean isAllowed() {
    return outcome == Outcome.ALLOWED;
  }

  /**
   * The kind of outcome.
   *
   * @return the outcome
   */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * Who made the request, if allowed.
   *
   * @return the principal; empty when denied
   */
  public Optional<AuthPrincipal> principal() {
    return Optional.ofNullable(principal);
  }

  /**
   * The HTTP status to answer a denial with.
   *
   * @return 401 or 403 when denied; 200 when allowed
   */
  public int status() {
    return status;
  }

  /**
   * Why the request was denied (or {@code "allowed"}).
   *
   * @return a short explanation without credentials
   */
  public String reason() {
    return reason;
  }

  /**
   * The {@code WWW-Authenticate} header value for a denial.
   *
   * @return the challenge, if any
   */
  public Optional<String> wwwAuthenticate() {
    return Optional.ofNullable(wwwAuthenticate);
  }

  @Override
  public String toString() {
    return outcome == Outcome.ALLOWED
        ? "ALLOWED " + principal
        : outcome + " " + status + " (" + reason + ")";
  }
}
