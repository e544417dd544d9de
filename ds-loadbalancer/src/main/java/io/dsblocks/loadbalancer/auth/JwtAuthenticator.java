package io.dsblocks.loadbalancer.auth;

import io.dsblocks.loadbalancer.internal.auth.Base64Url;
import io.dsblocks.loadbalancer.internal.auth.Json;
import io.dsblocks.loadbalancer.internal.auth.VerificationKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Authenticates requests carrying a JWT bearer token ({@code Authorization: Bearer <jws>}, RFC
 * 6750) signed with HS256, RS256 or ES256, verified with the JDK alone.
 *
 * <pre>{@code
 * JwtKeySet keys = JwtKeySet.create().addPublicKeyPem("2024-06", pem);
 * JwtAuthenticator jwt = JwtAuthenticator.builder(keys)
 *     .issuers("https://issuer.example.com")
 *     .audiences("orders-api")
 *     .build();
 * }</pre>
 *
 * <p>Checks, in order, each failure a 401 with a {@code Bearer error="invalid_token"} challenge and
 * a reason: token shape (three base64url parts, canonical encoding, at most {@link
 * Builder#maxTokenLength} characters); header {@code alg} is not {@code none}, is in the allow-list
 * and <b>equals the algorithm of the key named by {@code kid}</b> (the key decides, never the
 * header); no {@code crit} header; the signature; then {@code exp} (required by default), {@code
 * nbf} and {@code iat} against the injected clock with a tolerance ({@link Builder#clockSkew}),
 * {@code iss} and {@code aud} against the configured values, required claims, and a string
 * principal claim ({@code sub}). The payload is parsed only after the signature verified. Header
 * parameters that point at keys ({@code jku}, {@code jwk}, {@code x5u}, {@code x5c}) are ignored:
 * keys come only from the {@link JwtKeySet}.
 *
 * <p>A token without a {@code kid} is accepted only while the key set holds exactly one key.
 *
 * <p>Allowed requests get principal {@code jwt:<sub>} with all claims, so route rules can require
 * {@code scope}/{@code scp} and {@code roles}. Requests without an {@code Authorization: Bearer}
 * header get {@link AuthResult.Outcome#NO_CREDENTIALS}.
 *
 * <p>Thread-safe and non-blocking; key rotation goes through the shared {@link JwtKeySet}.
 */
public final class JwtAuthenticator implements Authenticator {
  private static final String BEARER = "bearer ";

  private final JwtKeySet keys;
  private final Set<JwsAlgorithm> algorithms;
  private final List<String> issuers;
  private final List<String> audiences;
  private final List<String> requiredClaims;
  private final long skewMillis;
  private final long maxAgeMillis;
  private final boolean requireExpiration;
  private final String principalClaim;
  private final int maxTokenLength;
  private final InstantSource clock;
  private final String realmParam;

  private JwtAuthenticator(Builder b) {
    this.keys = b.keys;
    this.algorithms = EnumSet.copyOf(b.algorithms);
    this.issuers = List.copyOf(b.issuers);
    this.audiences = List.copyOf(b.audiences);
    this.requiredClaims = List.copyOf(b.requiredClaims);
    this.skewMillis = b.clockSkew.toMillis();
    this.maxAgeMillis = b.maxAge == null ? -1 : b.maxAge.toMillis();
    this.requireExpiration = b.requireExpiration;
    this.principalClaim = b.principalClaim;
    this.maxTokenLength = b.maxTokenLength;
    this.clock = b.clock;
    this.realmParam = "realm=\"" + b.realm + "\"";
  }

  /**
   * A builder verifying with the given keys.
   *
   * @param keys the key set, shared so it can be rotated at runtime
   * @return a new builder
   */
  public static Builder builder(JwtKeySet keys) {
    return new Builder(Objects.requireNonNull(keys, "keys"));
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    List<String> auth = request.headers().all("Authorization");
    String token = null;
    for (String v : auth) {
      if (v.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        if (token != null) {
          return deny("invalid_request", "more than one bearer token");
        }
        token = v.substring(BEARER.length()).trim();
      }
    }
    if (token == null) {
      return AuthResult.noCredentials("no bearer token", "Bearer " + realmParam);
    }
    return verify(token);
  }

  /**
   * Verifies a compact JWS token and its claims, outside of an HTTP request.
   *
   * @param token the token
   * @return allowed with the principal, or denied (401) with the reason
   */
  public AuthResult verify(String token) {
    if (token.isEmpty() || token.length() > maxTokenLength) {
      return invalid("token length " + token.length() + " outside 1.." + maxTokenLength);
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
      return invalid("not a compact JWS (three dot-separated parts expected)");
    }
    Map<String, Object> header;
    byte[] signature;
    try {
      header = Json.parseObject(utf8(Base64Url.decode(token.substring(0, dot1))));
      signature = Base64Url.decode(token.substring(dot2 + 1));
    } catch (IllegalArgumentException e) {
      return invalid("malformed token: " + e.getMessage());
    }
    Object algValue = header.get("alg");
    if (!(algValue instanceof String)) {
      return invalid("header has no alg");
    }
    String alg = (String) algValue;
    if (alg.equalsIgnoreCase("none")) {
      return invalid("unsigned tokens (alg none) are never accepted");
    }
    JwsAlgorithm algorithm = parseAlgorithm(alg);
    if (algorithm == null || !algorithms.contains(algorithm)) {
      return invalid("alg " + alg + " is not allowed");
    }
    if (header.containsKey("crit")) {
      return invalid("crit header parameters are not supported");
    }
    Object kidValue = header.get("kid");
    if (kidValue != null && !(kidValue instanceof String)) {
      return invalid("kid is not a string");
    }
    Map<String, VerificationKey> snapshot = keys.snapshot();
    VerificationKey key;
    if (kidValue == null) {
      if (snapshot.size() != 1) {
        return invalid("token has no kid and the key set holds " + snapshot.size() + " keys");
      }
      key = snapshot.values().iterator().next();
    } else {
      key = snapshot.get(kidValue);
      if (key == null) {
        return invalid("unknown kid " + kidValue);
      }
    }
    if (key.algorithm() != algorithm) {
      // The algorithm-confusion defense: the key's type fixes the algorithm, not the header.
      return invalid(
          "alg " + alg + " does not match key " + key.kid() + " (" + key.algorithm() + ")");
    }
    byte[] signingInput = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
    if (!key.verify(signingInput, signature)) {
      return invalid("signature does not verify");
    }
    Map<String, Object> claims;
    try {
      claims = Json.parseObject(utf8(Base64Url.decode(token.substring(dot1 + 1, dot2))));
    } catch (IllegalArgumentException e) {
      return invalid("malformed claims: " + e.getMessage());
    }
    return checkClaims(claims);
  }

  private AuthResult checkClaims(Map<String, Object> claims) {
    long now = clock.millis();
    Object exp = claims.get("exp");
    if (exp == null) {
      if (requireExpiration) {
        return invalid("token has no exp claim");
      }
    } else {
      if (!(exp instanceof Number)) {
        return invalid("exp is not a number");
      }
      if (now - skewMillis >= millis((Number) exp)) {
        return invalid("token expired");
      }
    }
    Object nbf = claims.get("nbf");
    if (nbf != null) {
      if (!(nbf instanceof Number)) {
        return invalid("nbf is not a number");
      }
      if (now + skewMillis < millis((Number) nbf)) {
        return invalid("token not valid yet (nbf)");
      }
    }
    Object iat = claims.get("iat");
    if (iat != null) {
      if (!(iat instanceof Number)) {
        return invalid("iat is not a number");
      }
      double issued = millis((Number) iat);
      if (issued > now + skewMillis) {
        return invalid("token issued in the future (iat)");
      }
      if (maxAgeMillis >= 0 && now - skewMillis > issued + maxAgeMillis) {
        return invalid("token older than the maximum age");
      }
    } else if (maxAgeMillis >= 0) {
      return invalid("token has no iat claim (needed for the maximum age)");
    }
    if (!issuers.isEmpty()) {
      Object iss = claims.get("iss");
      if (!(iss instanceof String) || !issuers.contains(iss)) {
        return invalid("issuer not accepted");
      }
    }
    if (!audiences.isEmpty() && !audienceMatches(claims.get("aud"))) {
      return invalid("audience not accepted");
    }
    for (String c : requiredClaims) {
      if (claims.get(c) == null) {
        return invalid("required claim " + c + " missing");
      }
    }
    Object principal = claims.get(principalClaim);
    if (!(principal instanceof String) || ((String) principal).isEmpty()) {
      return invalid("claim " + principalClaim + " missing or not a string");
    }
    return AuthResult.allow(AuthPrincipal.of((String) principal, "jwt", claims));
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String) {
      return audiences.contains(aud);
    }
    if (aud instanceof List) {
      for (Object a : (List<?>) aud) {
        if (a instanceof String && audiences.contains(a)) {
          return true;
        }
      }
    }
    return false;
  }

  private static double millis(Number numericDate) {
    return numericDate.doubleValue() * 1000.0;
  }

  private static JwsAlgorithm parseAlgorithm(String alg) {
    for (JwsAlgorithm a : JwsAlgorithm.values()) {
      if (a.name().equals(alg)) {
        return a;
      }
    }
    return null;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not UTF-8", e);
    }
  }

  private AuthResult invalid(String reason) {
    return deny("invalid_token", reason);
  }

  private AuthResult deny(String error, String reason) {
    return AuthResult.deny(
        401,
        reason,
        "Bearer "
            + realmParam
            + ", error=\""
            + error
            + "\", error_description=\""
            + quotable(reason)
            + "\"");
  }

  /**
   * Makes text safe inside a quoted header parameter: RFC 6750 limits error_description to
   * printable ASCII without {@code "} and {@code \}, and attacker-chosen parts (a kid) must not
   * inject header syntax.
   */
  static String quotable(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && sb.length() < 200; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
    }
    return sb.toString();
  }

  /** Builds a {@link JwtAuthenticator}. Not thread-safe. */
  public static final class Builder {
    private final JwtKeySet keys;
    private Set<JwsAlgorithm> algorithms = EnumSet.allOf(JwsAlgorithm.class);
    private final List<String> issuers = new ArrayList<>();
    private final List<String> audiences = new ArrayList<>();
    private final List<String> requiredClaims = new ArrayList<>();
    private Duration clockSkew = Duration.ofSeconds(60);
    private Duration maxAge;
    private boolean requireExpiration = true;
    private String principalClaim = "sub";
    private int maxTokenLength = 8192;
    private InstantSource clock = InstantSource.system();
    private String realm = "dsblocks";

    private Builder(JwtKeySet keys) {
      this.keys = keys;
    }

    /**
     * Restricts the accepted algorithms (default: all three). A token whose {@code alg} is outside
     * this set is rejected even if a key of that type exists.
     *
     * @param algorithms one or more algorithms
     * @return this builder
     */
    public Builder algorithms(JwsAlgorithm... algorithms) {
      if (algorithms.length == 0) {
        throw new IllegalArgumentException("algorithms must name at least one algorithm");
      }
      this.algorithms = EnumSet.copyOf(List.of(algorithms));
      return this;
    }

    /**
     * Accepts only tokens whose {@code iss} is one of these (default: any issuer).
     *
     * @param issuers exact issuer strings
     * @return this builder
     */
    public Builder issuers(String... issuers) {
      this.issuers.addAll(nonBlank("issuers", issuers));
      return this;
    }

    /**
     * Accepts only tokens whose {@code aud} (string or array) contains one of these (default: any
     * audience). Set it whenever one issuer serves several APIs, or a token for one is replayable
     * against another.
     *
     * @param audiences exact audience strings
     * @return this builder
     */
    public Builder audiences(String... audiences) {
      this.audiences.addAll(nonBlank("audiences", audiences));
      return this;
    }

    /**
     * Requires claims to be present and non-null.
     *
     * @param claims claim names
     * @return this builder
     */
    public Builder requireClaims(String... claims) {
      this.requiredClaims.addAll(nonBlank("requireClaims", claims));
      return this;
    }

    /**
     * Sets the tolerance for {@code exp}, {@code nbf} and {@code iat}, covering clock differences
     * between issuer and proxy; 0 to 10 minutes, default 60 s.
     *
     * @param skew the tolerance
     * @return this builder
     */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = Objects.requireNonNull(skew, "clockSkew");
      return this;
    }

    /**
     * Rejects tokens issued ({@code iat}) longer ago than this; tokens then need {@code iat}.
     *
     * @param maxAge positive
     * @return this builder
     */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
      return this;
    }

    /**
     * Whether tokens without {@code exp} are rejected (default {@code true}: a token that never
     * expires cannot be revoked by waiting).
     *
     * @param require the flag
     * @return this builder
     */
    public Builder requireExpiration(boolean require) {
      this.requireExpiration = require;
      return this;
    }

    /**
     * Sets the claim that names the principal (default {@code sub}).
     *
     * @param claim a claim name
     * @return this builder
     */
    public Builder principalClaim(String claim) {
      this.principalClaim = nonBlank("principalClaim", claim).get(0);
      return this;
    }

    /**
     * Sets the longest token accepted, 64 to 65536 characters (default 8192), bounding the work an
     * attacker can cause.
     *
     * @param length characters
     * @return this builder
     */
    public Builder maxTokenLength(int length) {
      this.maxTokenLength = length;
      return this;
    }

    /**
     * Sets the clock {@code exp}/{@code nbf}/{@code iat} are checked against.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the realm in the {@code WWW-Authenticate: Bearer} challenge.
     *
     * @param realm printable ASCII without quotes or backslashes
     * @return this builder
     */
    public Builder realm(String realm) {
      if (realm == null || realm.isEmpty() || !quotable(realm).equals(realm)) {
        throw new IllegalArgumentException(
            "realm must be printable ASCII without '\"' or '\\', got '" + realm + "'");
      }
      this.realm = realm;
      return this;
    }

    /**
     * Validates the settings.
     *
     * @return the authenticator
     * @throws IllegalArgumentException naming the bad setting
     */
    public JwtAuthenticator build() {
      if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "clockSkew is " + clockSkew + "; allowed: 0 to 10 minutes");
      }
      if (maxAge != null && (maxAge.isZero() || maxAge.isNegative())) {
        throw new IllegalArgumentException("maxAge is " + maxAge + "; must be positive");
      }
      if (maxTokenLength < 64 || maxTokenLength > 65536) {
        throw new IllegalArgumentException(
            "maxTokenLength is " + maxTokenLength + "; allowed: 64 to 65536");
      }
      return new JwtAuthenticator(this);
    }

    private static List<String> nonBlank(String field, String... values) {
      for (String v : values) {
        if (v == null || v.isBlank()) {
          throw new IllegalArgumentException(field + " must be non-blank strings, got '" + v + "'");
        }
      }
      return List.of(values);
    }
  }
}
