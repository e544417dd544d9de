package io.dsblocks.loadbalancer.tls;

import io.dsblocks.loadbalancer.internal.tls.TlsMaterial;
import io.netty.handler.ssl.OpenSsl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Immutable settings of TLS termination: which certificate to serve for which server name (SNI),
 * protocol versions, cipher suites, ALPN, client certificates (mTLS) and the TLS implementation.
 * Turn it into handlers with {@link TlsContextProvider#create(TlsConfig)}.
 *
 * <pre>{@code
 * TlsConfig tls = TlsConfig.builder()
 *     .defaultCertificate(Path.of("certs/default.pem"), Path.of("certs/default.key"))
 *     .certificate("api.example.com", Path.of("certs/api.pem"), Path.of("certs/api.key"))
 *     .certificate("*.example.com", Path.of("certs/wild.pem"), Path.of("certs/wild.key"))
 *     .build();
 * }</pre>
 *
 * <p>{@link Builder#build()} reads and checks every file once, so a wrong path or mismatched key
 * fails at startup with an {@link IllegalArgumentException} naming the file and the problem, not at
 * the first handshake. Checked: the file is readable; it holds PEM certificates (leaf first, each
 * issued by the next) or one unencrypted PKCS#8 RSA or EC key; the key belongs to the leaf
 * certificate; and every certificate of the chain is valid now. <b>An expired or not-yet-valid
 * certificate is an error</b>, not a warning: clients would reject it anyway, and on reload the
 * rejection keeps the working certificate in service.
 *
 * <p>Defaults: TLS 1.3 and 1.2 only; AEAD cipher suites with forward secrecy ({@link
 * #DEFAULT_CIPHER_SUITES}, all acceptable for HTTP/2); ALPN offering {@code h2} then {@code
 * http/1.1}; no client certificates; {@link TlsProvider#AUTO}; 10 s handshake timeout; 5 min
 * session timeout.
 *
 * <p>Instances are immutable and thread-safe; builders are not thread-safe.
 */
public final class TlsConfig {
  /** The ALPN name of HTTP/2. */
  public static final String ALPN_H2 = "h2";

  /** The ALPN name of HTTP/1.1. */
  public static final String ALPN_HTTP_1_1 = "http/1.1";

  /**
   * The default cipher suites (Java names; Netty maps them for OpenSSL): the TLS 1.3 suites, then
   * ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2, ECDSA and RSA certificates alike. These
   * are forward secret and authenticated-encryption only, which is also what HTTP/2 (RFC 9113
   * §9.2.2) demands. Suites a provider lacks are dropped silently.
   */
  public static final List<String> DEFAULT_CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private static final Set<String> KNOWN_PROTOCOLS =
      Set.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");
  private static final Pattern SERVER_NAME =
      Pattern.compile(
          "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  /**
   * A certificate chain file and its private key file, served for a server name. Immutable and
   * thread-safe.
   *
   * @param serverName the SNI name ({@code api.example.com}, {@code *.example.com}), or {@code
   *     null} for the default certificate
   * @param certificateChain PEM certificates, leaf first
   * @param privateKey PEM PKCS#8 private key of the leaf
   */
  public record CertificateFiles(String serverName, Path certificateChain, Path privateKey) {
    /**
     * Checks the paths.
     *
     * @param serverName the SNI name or {@code null}
     * @param certificateChain not null
     * @param privateKey not null
     */
    public CertificateFiles {
      Objects.requireNonNull(certificateChain, "certificateChain");
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }

  private final CertificateFiles defaultCertificate;
  private final List<CertificateFiles> sniCertificates;
  private final List<String> protocols;
  private final List<String> cipherSuites;
  private final List<String> applicationProtocols;
  private final ClientAuthMode clientAuth;
  private final List<Path> trustedClientCertificates;
  private final TlsProvider provider;
  private final Duration handshakeTimeout;
  private final Duration sessionTimeout;
  private final InstantSource clock;

  private TlsConfig(Builder b, List<CertificateFiles> sniCertificates) {
    this.defaultCertificate = b.defaultCertificate;
    this.sniCertificates = List.copyOf(sniCertificates);
    this.protocols = List.copyOf(b.protocols);
    this.cipherSuites = List.copyOf(b.cipherSuites);
    this.applicationProtocols = List.copyOf(b.applicationProtocols);
    this.clientAuth = b.clientAuth;
    this.trustedClientCertificates = List.copyOf(b.trustedClientCertificates);
    this.provider = b.provider;
    this.handshakeTimeout = b.handshakeTimeout;
    this.sessionTimeout = b.sessionTimeout;
    this.clock = b.clock;
  }

  private TlsConfig(TlsConfig base, List<String> applicationProtocols) {
    this.defaultCertificate = base.defaultCertificate;
    this.sniCertificates = base.sniCertificates;
    this.protocols = base.protocols;
    this.cipherSuites = base.cipherSuites;
    this.applicationProtocols = List.copyOf(applicationProtocols);
    this.clientAuth = base.clientAuth;
    this.trustedClientCertificates = base.trustedClientCertificates;
    this.provider = base.provider;
    this.handshakeTimeout = base.handshakeTimeout;
    this.sessionTimeout = base.sessionTimeout;
    this.clock = base.clock;
  }

  /**
   * A copy of this configuration offering other ALPN protocols, without reading the files again
   * (they were checked when this configuration was built). The L7 proxy uses it to stop offering
   * {@code h2} when HTTP/2 is switched off.
   *
   * @param protocols the ALPN names in preference order; empty disables ALPN
   * @return the copy (or this configuration if the protocols are the same)
   * @throws IllegalArgumentException if a name is not 1 to 255 printable ASCII characters
   * @throws NullPointerException if {@code protocols} or an element is null
   */
  public TlsConfig withApplicationProtocols(List<String> protocols) {
    List<String> copy = List.copyOf(protocols);
    checkAlpnNames(copy);
    return copy.equals(applicationProtocols) ? this : new TlsConfig(this, copy);
  }

  private static void checkAlpnNames(List<String> applicationProtocols) {
    for (String p : applicationProtocols) {
      if (p.isEmpty() || p.length() > 255 || !p.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
        throw new IllegalArgumentException(
            "applicationProtocols contains '"
                + p
                + "'; an ALPN name is 1 to 255 printable ASCII characters");
      }
    }
  }

  /**
   * A builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The common case: one certificate for every server name, default settings.
   *
   * @param certificateChain PEM certificates, leaf first
   * @param privateKey PEM PKCS#8 key
   * @return the validated config
   * @throws IllegalArgumentException if a file is unreadable or invalid
   */
  public static TlsConfig of(Path certificateChain, Path privateKey) {
    return builder().defaultCertificate(certificateChain, privateKey).build();
  }

  /**
   * The certificate served when the client sends no SNI name or one with no certificate of its own.
   *
   * @return the default certificate files (serverName {@code null})
   */
  public CertificateFiles defaultCertificate() {
    return defaultCertificate;
  }

  /**
   * The certificates selected by SNI name, in the order added.
   *
   * @return an immutable list
   */
  public List<CertificateFiles> sniCertificates() {
    return sniCertificates;
  }

  /**
   * The enabled protocol versions (JSSE names).
   *
   * @return an immutable list, e.g. {@code [TLSv1.3, TLSv1.2]}
   */
  public List<String> protocols() {
    return protocols;
  }

  /**
   * The requested cipher suites (Java names); suites the provider lacks are dropped.
   *
   * @return an immutable list
   */
  public List<String> cipherSuites() {
    return cipherSuites;
  }

  /**
   * The ALPN protocols the server accepts, in preference order; empty disables ALPN.
   *
   * @return an immutable list
   */
  public List<String> applicationProtocols() {
    return applicationProtocols;
  }

  /**
   * Whether client certificates are requested.
   *
   * @return the mode
   */
  public ClientAuthMode clientAuth() {
    return clientAuth;
  }

  /**
   * PEM files of the CAs that client certificates must chain to.
   *
   * @return an immutable list, empty unless client auth is on
   */
  public List<Path> trustedClientCertificates() {
    return trustedClientCertificates;
  }

  /**
   * The requested TLS implementation.
   *
   * @return the provider preference
   */
  public TlsProvider provider() {
    return provider;
  }

  /**
   * How long a client may take from connecting to finishing the handshake (including sending its
   * ClientHello) before the connection is closed; bounds slow-handshake attacks.
   *
   * @return the timeout
   */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * How long TLS sessions stay resumable.
   *
   * @return the timeout
   */
  public Duration sessionTimeout() {
    return sessionTimeout;
  }

  /**
   * The clock certificate validity is checked against.
   *
   * @return the clock
   */
  public InstantSource clock() {
    return clock;
  }

  /** Builds a {@link TlsConfig}. Not thread-safe. */
  public static final class Builder {
    private CertificateFiles defaultCertificate;
    private final List<CertificateFiles> sniCertificates = new ArrayList<>();
    private List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
    private List<String> cipherSuites = DEFAULT_CIPHER_SUITES;
    private List<String> applicationProtocols = List.of(ALPN_H2, ALPN_HTTP_1_1);
    private ClientAuthMode clientAuth = ClientAuthMode.NONE;
    private final List<Path> trustedClientCertificates = new ArrayList<>();
    private TlsProvider provider = TlsProvider.AUTO;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration sessionTimeout = Duration.ofMinutes(5);
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /**
     * Sets the certificate served without SNI or for unknown names. Required.
     *
     * @param certificateChain PEM certificates, leaf first
     * @param privateKey PEM PKCS#8 RSA or EC key of the leaf
     * @return this builder
     */
    public Builder defaultCertificate(Path certificateChain, Path privateKey) {
      this.defaultCertificate = new CertificateFiles(null, certificateChain, privateKey);
      return this;
    }

    /**
     * Adds a certificate for an SNI server name. A name is exact ({@code api.example.com}) or a
     * wildcard for one label ({@code *.example.com} matches {@code a.example.com}, not {@code
     * example.com} nor {@code a.b.example.com}); an exact name wins over a wildcard. Names are
     * case-insensitive; internationalized names must be given in their ASCII (punycode) form.
     *
     * @param serverName the name
     * @param certificateChain PEM certificates, leaf first
     * @param privateKey PEM PKCS#8 RSA or EC key of the leaf
     * @return this builder
     */
    public Builder certificate(String serverName, Path certificateChain, Path privateKey) {
      Objects.requireNonNull(serverName, "serverName");
      sniCertificates.add(new CertificateFiles(serverName, certificateChain, privateKey));
      return this;
    }

    /**
     * Sets the enabled protocol versions, from {@code TLSv1.3}, {@code TLSv1.2}, {@code TLSv1.1},
     * {@code TLSv1}. Enabling the last two is discouraged (RFC 8996) and the JDK provider refuses
     * them unless its security properties are changed.
     *
     * @param protocols one or more versions
     * @return this builder
     */
    public Builder protocols(String... protocols) {
      this.protocols = List.of(protocols);
      return this;
    }

    /**
     * Sets the cipher suites (Java names), in preference order.
     *
     * @param cipherSuites one or more suites
     * @return this builder
     */
    public Builder cipherSuites(List<String> cipherSuites) {
      this.cipherSuites = List.copyOf(cipherSuites);
      return this;
    }

    /**
     * Sets the ALPN protocols the server accepts, in preference order; none disables ALPN. A client
     * that offers none of them continues without ALPN, which the proxy treats as HTTP/1.1.
     *
     * @param protocols e.g. {@link #ALPN_H2}, {@link #ALPN_HTTP_1_1}
     * @return this builder
     */
    public Builder applicationProtocols(String... protocols) {
      this.applicationProtocols = List.of(protocols);
      return this;
    }

    /**
     * Sets whether client certificates are requested. Anything but {@link ClientAuthMode#NONE}
     * needs {@link #trustedClientCertificates}.
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder clientAuth(ClientAuthMode mode) {
      this.clientAuth = Objects.requireNonNull(mode, "clientAuth");
      return this;
    }

    /**
     * Adds PEM files of CAs that client certificates must chain to.
     *
     * @param caFiles PEM files with one or more CA certificates each
     * @return this builder
     */
    public Builder trustedClientCertificates(Path... caFiles) {
      for (Path p : caFiles) {
        trustedClientCertificates.add(Objects.requireNonNull(p, "trustedClientCertificates"));
      }
      return this;
    }

    /**
     * Sets the TLS implementation.
     *
     * @param provider the preference
     * @return this builder
     */
    public Builder provider(TlsProvider provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * Sets the handshake timeout, from 1 ms to 5 minutes.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = Objects.requireNonNull(timeout, "handshakeTimeout");
      return this;
    }

    /**
     * Sets how long sessions stay resumable, from 0 (the provider's default) to 24 hours.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = Objects.requireNonNull(timeout, "sessionTimeout");
      return this;
    }

    /**
     * Sets the clock certificate validity is checked against (tests inject a fixed one).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Validates the settings and every file.
     *
     * @return the config
     * @throws IllegalArgumentException naming the setting or file and the problem
     */
    public TlsConfig build() {
      if (defaultCertificate == null) {
        throw new IllegalArgumentException(
            "defaultCertificate is required: it is served to clients that send no SNI name or an"
                + " unknown one");
      }
      Set<String> names = new LinkedHashSet<>();
      List<CertificateFiles> normalized = new ArrayList<>();
      for (CertificateFiles c : sniCertificates) {
        String name = c.serverName().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
          name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.length() > 253 || !SERVER_NAME.matcher(name).matches()) {
          throw new IllegalArgumentException(
              "certificate serverName '"
                  + c.serverName()
                  + "' is not a host name or a '*.' wildcard (letters, digits, '-' and '.',"
                  + " punycode for international names)");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException(
              "certificate serverName '" + name + "' is configured twice");
        }
        normalized.add(new CertificateFiles(name, c.certificateChain(), c.privateKey()));
      }
      if (protocols.isEmpty()) {
        throw new IllegalArgumentException(
            "protocols must not be empty; allowed: " + KNOWN_PROTOCOLS);
      }
      for (String p : protocols) {
        if (!KNOWN_PROTOCOLS.contains(p)) {
          throw new IllegalArgumentException(
              "protocols contains '" + p + "'; allowed: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1");
        }
      }
      if (cipherSuites.isEmpty()) {
        throw new IllegalArgumentException("cipherSuites must not be empty");
      }
      checkAlpnNames(applicationProtocols);
      if (clientAuth != ClientAuthMode.NONE && trustedClientCertificates.isEmpty()) {
        throw new IllegalArgumentException(
            "clientAuth "
                + clientAuth
                + " needs trustedClientCertificates (the CAs client certificates must chain to)");
      }
      if (clientAuth == ClientAuthMode.NONE && !trustedClientCertificates.isEmpty()) {
        throw new IllegalArgumentException(
            "trustedClientCertificates are set but clientAuth is NONE: set clientAuth to OPTIONAL"
                + " or REQUIRE, or drop the CAs");
      }
      if (handshakeTimeout.compareTo(Duration.ofMillis(1)) < 0
          || handshakeTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException(
            "handshakeTimeout is " + handshakeTimeout + "; allowed: 1 ms to 5 minutes");
      }
      if (sessionTimeout.isNegative() || sessionTimeout.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException(
            "sessionTimeout is " + sessionTimeout + "; allowed: 0 to 24 hours");
      }
      if (provider == TlsProvider.OPENSSL && !OpenSsl.isAvailable()) {
        throw new IllegalArgumentException(
            "provider OPENSSL requested but netty-tcnative is not available ("
                + OpenSsl.unavailabilityCause()
                + "); add io.netty:netty-tcnative-boringssl-static for this platform or use AUTO");
      }
      TlsConfig config = new TlsConfig(this, normalized);
      // Parse and check every file now so a bad path fails at startup; the parsed material is
      // dropped because TlsContextProvider reads the files again (they may change before it runs).
      TlsMaterial.parse(config, TlsMaterial.read(config), clock.instant());
      return config;
    }
  }
}
