package io.dsblocks.loadbalancer.tls;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a {@link TlsContextProvider}: the implementation actually in use, the effective
 * settings, the certificates in service with their expiry, and reload and SNI counters. For logs,
 * health endpoints and expiry alerts.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param provider {@link TlsProvider#OPENSSL} or {@link TlsProvider#JDK}, never {@code AUTO}
 * @param providerVersion e.g. {@code BoringSSL} or {@code JDK 17.0.15}
 * @param protocols the enabled protocol versions
 * @param cipherSuites the cipher suites the provider actually enabled (Java names)
 * @param applicationProtocols the ALPN protocols offered, in preference order
 * @param clientAuth whether client certificates are requested
 * @param certificates the certificates in service, default first
 * @param reloads how many reloads swapped in new certificates
 * @param failedReloads how many reloads failed and kept the old certificates
 * @param lastReloadError the message of the last failed reload, if any
 * @param handshakes how many handshakes looked up a certificate
 * @param defaultCertificateSelections how many of those got the default certificate (no SNI name or
 *     an unknown one)
 */
public record TlsInfo(
    TlsProvider provider,
    String providerVersion,
    List<String> protocols,
    List<String> cipherSuites,
    List<String> applicationProtocols,
    ClientAuthMode clientAuth,
    List<CertificateInfo> certificates,
    long reloads,
    long failedReloads,
    Optional<String> lastReloadError,
    long handshakes,
    long defaultCertificateSelections) {

  /**
   * Copies the lists.
   *
   * @param provider the implementation in use
   * @param providerVersion its version text
   * @param protocols enabled versions
   * @param cipherSuites enabled suites
   * @param applicationProtocols ALPN protocols
   * @param clientAuth client certificate mode
   * @param certificates certificates in service
   * @param reloads successful reloads
   * @param failedReloads failed reloads
   * @param lastReloadError last failure message
   * @param handshakes certificate lookups
   * @param defaultCertificateSelections lookups answered with the default
   */
  public TlsInfo {
    protocols = List.copyOf(protocols);
    cipherSuites = List.copyOf(cipherSuites);
    applicationProtocols = List.copyOf(applicationProtocols);
    certificates = List.copyOf(certificates);
  }

  /**
   * The soonest expiry among the certificates in service (leaf certificates and their chains), for
   * an alert that fires well before clients start failing.
   *
   * @return the earliest {@code notAfter}
   */
  public Instant earliestExpiry() {
    Instant min = Instant.MAX;
    for (CertificateInfo c : certificates) {
      if (c.notAfter().isBefore(min)) {
        min = c.notAfter();
      }
    }
    return min;
  }

  /**
   * One certificate in service. Instances are immutable and thread-safe.
   *
   * @param serverName the SNI name it serves, or {@code null} for the default
   * @param subject the leaf's subject DN (RFC 2253)
   * @param issuer the leaf's issuer DN
   * @param serialNumber the leaf's serial number, hexadecimal
   * @param notBefore start of validity
   * @param notAfter end of validity (of the whole chain: the earliest expiry in it)
   * @param keyAlgorithm {@code RSA} or {@code EC}
   * @param certificateFile the chain's file
   */
  public record CertificateInfo(
      String serverName,
      String subject,
      String issuer,
      String serialNumber,
      Instant notBefore,
      Instant notAfter,
      String keyAlgorithm,
      String certificateFile) {}
}
