package io.dsblocks.loadbalancer.tls;

/**
 * Whether the server asks clients for a certificate (mutual TLS).
 *
 * <p>With {@link #OPTIONAL} or {@link #REQUIRE}, a presented certificate must chain to one of
 * {@link TlsConfig.Builder#trustedClientCertificates the trusted CAs}, or the handshake fails; the
 * verified chain is then available through {@link TlsSessions#peerCertificates}. Which client is
 * allowed to do what is decided later, per route, by {@code io.dsblocks.loadbalancer.auth}.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum ClientAuthMode {
  /** No certificate is requested. */
  NONE,
  /**
   * A certificate is requested; a client may send none (it is then anonymous at the TLS layer), but
   * one it does send must verify.
   */
  OPTIONAL,
  /** A verified certificate is required; clients without one fail the handshake. */
  REQUIRE
}
