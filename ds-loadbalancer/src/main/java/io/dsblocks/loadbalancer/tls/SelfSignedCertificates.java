package io.dsblocks.loadbalancer.tls;

import io.dsblocks.loadbalancer.LoadBalancerException;
import io.dsblocks.loadbalancer.internal.tls.BcCertificateIssuer;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * Makes a private certificate authority and certificates it signs, for development and tests: a TLS
 * server on {@code localhost}, mTLS clients, several SNI names, expired certificates to test
 * rejection. <b>Not for production</b>: keys live in memory and in unencrypted PEM files.
 *
 * <pre>{@code
 * SelfSignedCertificates.Authority ca = SelfSignedCertificates.newAuthority("dev CA");
 * IssuedCertificate server = ca.newCertificate("localhost")
 *     .dnsNames("localhost").ipAddresses("127.0.0.1").serverAuth().issue();
 * server.writePem(Path.of("server.pem"), Path.of("server.key"));
 * }</pre>
 *
 * <p>Needs {@code org.bouncycastle:bcpkix-jdk18on} on the classpath (an optional dependency of this
 * module, so production deployments do not carry it); without it, issuing fails with a {@link
 * LoadBalancerException} saying so.
 *
 * <p>Stateless and thread-safe; {@link Authority} is immutable and thread-safe; {@link
 * CertificateRequest} is a builder and not thread-safe.
 */
public final class SelfSignedCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private SelfSignedCertificates() {}

  /** The key pair type of a generated certificate. Immutable and thread-safe. */
  public enum KeyType {
    /** ECDSA on NIST P-256 (secp256r1): small and fast; the default. */
    EC_P256,
    /** RSA with a 2048-bit modulus. */
    RSA_2048
  }

  /**
   * The files written by {@link #writeLocalhostPki(Path)}.
   *
   * <p>Instances are immutable and thread-safe.
   *
   * @param caCertificate the CA certificate: trust it in clients, and in the server for mTLS
   * @param serverCertificate the server's chain (leaf, CA) for {@code localhost}, {@code 127.0.0.1}
   *     and {@code ::1}
   * @param serverKey the server's PKCS#8 key
   * @param clientCertificate a client chain with common name {@code client}
   * @param clientKey the client's PKCS#8 key
   */
  public record LocalhostPki(
      Path caCertificate,
      Path serverCertificate,
      Path serverKey,
      Path clientCertificate,
      Path clientKey) {}

  /**
   * A new CA with an EC P-256 key, valid from one hour ago (tolerating clock differences between
   * machines) for ten years.
   *
   * @param commonName the CA's common name
   * @return the authority
   */
  public static Authority newAuthority(String commonName) {
    Instant now = Instant.now();
    return newAuthority(
        commonName,
        KeyType.EC_P256,
        now.minus(Duration.ofHours(1)),
        now.plus(Duration.ofDays(3650)));
  }

  /**
   * A new CA.
   *
   * @param commonName the CA's common name
   * @param keyType its key type
   * @param notBefore start of validity; also the default for certificates it issues
   * @param notAfter end of validity; also the default for certificates it issues
   * @return the authority
   */
  public static Authority newAuthority(
      String commonName, KeyType keyType, Instant notBefore, Instant notAfter) {
    X500Principal subject = name(commonName);
    Objects.requireNonNull(keyType, "keyType");
    checkValidity(notBefore, notAfter);
    KeyPair keys = generate(keyType);
    X509Certificate cert =
        issue(
            new BcCertificateIssuer.Spec(
                subject,
                keys.getPublic(),
                subject,
                keys.getPrivate(),
                keys.getPublic(),
                serial(),
                notBefore,
                notAfter,
                true,
                false,
                false,
                List.of(),
                List.of(),
                List.of(),
                List.of()));
    return new Authority(new IssuedCertificate(cert, keys.getPrivate(), List.of(cert)));
  }

  /**
   * Writes a complete development PKI to a directory: {@code ca.pem}, {@code server.pem}, {@code
   * server.key}, {@code client.pem}, {@code client.key}.
   *
   * @param directory created if missing
   * @return the paths
   */
  public static LocalhostPki writeLocalhostPki(Path directory) {
    Authority ca = newAuthority("dsblocks development CA");
    IssuedCertificate server =
        ca.newCertificate("localhost")
            .dnsNames("localhost")
            .ipAddresses("127.0.0.1", "::1")
            .serverAuth()
            .issue();
    IssuedCertificate client = ca.newCertificate("client").clientAuth().issue();
    LocalhostPki pki =
        new LocalhostPki(
            directory.resolve("ca.pem"),
            directory.resolve("server.pem"),
            directory.resolve("server.key"),
            directory.resolve("client.pem"),
            directory.resolve("client.key"));
    IssuedCertificate.write(pki.caCertificate(), ca.certificate().certificatePem(), false);
    server.writePem(pki.serverCertificate(), pki.serverKey());
    client.writePem(pki.clientCertificate(), pki.clientKey());
    return pki;
  }

  /**
   * A certificate authority: its own self-signed certificate and key, able to sign more. Immutable
   * and thread-safe.
   */
  public static final class Authority {
    private final IssuedCertificate certificate;

    private Authority(IssuedCertificate certificate) {
      this.certificate = certificate;
    }

    /**
     * The CA's own certificate and key; write {@link IssuedCertificate#certificatePem()} where
     * clients (or the server, for mTLS) load trusted CAs.
     *
     * @return the root certificate
     */
    public IssuedCertificate certificate() {
      return certificate;
    }

    /**
     * Starts a certificate signed by this CA, by default an EC P-256 key valid as long as the CA,
     * with no SANs and no extended key usage.
     *
     * @param commonName the subject's common name (for clients, the mTLS principal)
     * @return a request to complete and {@link CertificateRequest#issue() issue}
     */
    public CertificateRequest newCertificate(String commonName) {
      return new CertificateRequest(this, name(commonName));
    }
  }

  /** What to put in a new certificate. A builder; not thread-safe. */
  public static final class CertificateRequest {
    private final Authority authority;
    private final X500Principal subject;
    private final List<String> dnsNames = new ArrayList<>();
    private final List<String> ipAddresses = new ArrayList<>();
    private final List<String> uris = new ArrayList<>();
    private final List<String> emails = new ArrayList<>();
    private KeyType keyType = KeyType.EC_P256;
    private Instant notBefore;
    private Instant notAfter;
    private boolean serverAuth;
    private boolean clientAuth;

    private CertificateRequest(Authority authority, X500Principal subject) {
      this.authority = authority;
      this.subject = subject;
      this.notBefore = authority.certificate.certificate().getNotBefore().toInstant();
      this.notAfter = authority.certificate.certificate().getNotAfter().toInstant();
    }

    /**
     * Adds DNS subject alternative names ({@code localhost}, {@code *.example.test}).
     *
     * @param names the names
     * @return this request
     */
    public CertificateRequest dnsNames(String... names) {
      for (String n : names) {
        if (n == null || n.isBlank()) {
          throw new IllegalArgumentException("dnsNames must be non-blank, got '" + n + "'");
        }
        dnsNames.add(n);
      }
      return this;
    }

    /**
     * Adds IP address subject alternative names (literals such as {@code 127.0.0.1} or {@code
     * ::1}).
     *
     * @param addresses the addresses
     * @return this request
     */
    public CertificateRequest ipAddresses(String... addresses) {
      for (String a : addresses) {
        // Only literals: resolving a name here would be a hidden network call.
        if (a == null || a.isEmpty() || !a.matches("[0-9a-fA-F:.]+")) {
          throw new IllegalArgumentException(
              "ipAddresses must be IPv4 or IPv6 literals, got '" + a + "'");
        }
        ipAddresses.add(a);
      }
      return this;
    }

    /**
     * Adds URI subject alternative names, e.g. a SPIFFE ID {@code spiffe://example.org/svc}.
     *
     * @param values absolute URIs
     * @return this request
     */
    public CertificateRequest uris(String... values) {
      for (String u : values) {
        if (u == null || !u.matches("[a-zA-Z][a-zA-Z0-9+.-]*:\\S+")) {
          throw new IllegalArgumentException("uris must be absolute URIs, got '" + u + "'");
        }
        uris.add(u);
      }
      return this;
    }

    /**
     * Adds e-mail (rfc822Name) subject alternative names.
     *
     * @param values addresses such as {@code alice@example.org}
     * @return this request
     */
    public CertificateRequest emails(String... values) {
      for (String e : values) {
        if (e == null || !e.matches("[^@\\s]+@[^@\\s]+")) {
          throw new IllegalArgumentException("emails must be addresses, got '" + e + "'");
        }
        emails.add(e);
      }
      return this;
    }

    /**
     * Marks the certificate for TLS servers (extended key usage serverAuth).
     *
     * @return this request
     */
    public CertificateRequest serverAuth() {
      this.serverAuth = true;
      return this;
    }

    /**
     * Marks the certificate for TLS clients (extended key usage clientAuth), for mTLS.
     *
     * @return this request
     */
    public CertificateRequest clientAuth() {
      this.clientAuth = true;
      return this;
    }

    /**
     * Sets the key type.
     *
     * @param keyType EC P-256 (default) or RSA 2048
     * @return this request
     */
    public CertificateRequest keyType(KeyType keyType) {
      this.keyType = Objects.requireNonNull(keyType, "keyType");
      return this;
    }

    /**
     * Sets the validity window, e.g. one in the past to test expiry handling.
     *
     * @param notBefore start
     * @param notAfter end, after start
     * @return this request
     */
    public CertificateRequest validity(Instant notBefore, Instant notAfter) {
      checkValidity(notBefore, notAfter);
      this.notBefore = notBefore;
      this.notAfter = notAfter;
      return this;
    }

    /**
     * Generates a key pair and signs the certificate.
     *
     * @return the certificate, key and chain (leaf, CA)
     */
    public IssuedCertificate issue() {
      KeyPair keys = generate(keyType);
      IssuedCertificate ca = authority.certificate;
      X509Certificate cert =
          SelfSignedCertificates.issue(
              new BcCertificateIssuer.Spec(
                  subject,
                  keys.getPublic(),
                  ca.certificate().getSubjectX500Principal(),
                  ca.privateKey(),
                  ca.certificate().getPublicKey(),
                  serial(),
                  notBefore,
                  notAfter,
                  false,
                  serverAuth,
                  clientAuth,
                  List.copyOf(dnsNames),
                  List.copyOf(ipAddresses),
                  List.copyOf(uris),
                  List.copyOf(emails)));
      return new IssuedCertificate(cert, keys.getPrivate(), List.of(cert, ca.certificate()));
    }
  }

  private static X509Certificate issue(BcCertificateIssuer.Spec spec) {
    try {
      return BcCertificateIssuer.issue(spec);
    } catch (NoClassDefFoundError e) {
      throw new LoadBalancerException(
          "SelfSignedCertificates needs org.bouncycastle:bcpkix-jdk18on on the classpath", e);
    }
  }

  private static X500Principal name(String commonName) {
    if (commonName == null || commonName.isBlank()) {
      throw new IllegalArgumentException("commonName must be non-blank, got '" + commonName + "'");
    }
    // Escape RFC 2253 specials so any text is a single CN attribute.
    StringBuilder cn = new StringBuilder("CN=");
    for (char c : commonName.toCharArray()) {
      if (",+\"\\<>;=#".indexOf(c) >= 0) {
        cn.append('\\');
      }
      cn.append(c);
    }
    return new X500Principal(cn.toString());
  }

  private static void checkValidity(Instant notBefore, Instant notAfter) {
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException(
          "notAfter " + notAfter + " must be after notBefore " + notBefore);
    }
  }

  private static BigInteger serial() {
    // 63 random bits: positive, unique enough for a dev CA, within the 20-octet limit.
    return new BigInteger(63, RANDOM).add(BigInteger.ONE);
  }

  private static KeyPair generate(KeyType type) {
    try {
      if (type == KeyType.RSA_2048) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new LoadBalancerException("could not generate a " + type + " key pair", e);
    }
  }
}
