package io.dsblocks.loadbalancer.auth;

/**
 * The JWS signature algorithms {@link JwtAuthenticator} verifies (RFC 7518 §3).
 *
 * <p>A key's type fixes its algorithm: an HMAC secret is HS256, an RSA key RS256, a P-256 EC key
 * ES256. A token's {@code alg} header must name its key's algorithm; it never chooses how the key
 * is used, which is what stops algorithm-confusion attacks (an RSA public key used as an HMAC
 * secret). {@code none} is never accepted.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum JwsAlgorithm {
  /** HMAC with SHA-256; the secret must be at least 32 bytes (RFC 7518 §3.2). */
  HS256("HmacSHA256"),
  /** RSASSA-PKCS1-v1_5 with SHA-256; the key must be at least 2048 bits. */
  RS256("SHA256withRSA"),
  /** ECDSA on P-256 with SHA-256; signatures are 64 raw bytes R||S. */
  ES256("SHA256withECDSA");

  private final String jdkName;

  JwsAlgorithm(String jdkName) {
    this.jdkName = jdkName;
  }

  /**
   * The JCA algorithm name ({@code javax.crypto.Mac} for HS256, {@code java.security.Signature}
   * otherwise).
   *
   * @return e.g. {@code SHA256withRSA}
   */
  public String jdkName() {
    return jdkName;
  }
}
