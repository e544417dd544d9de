package io.dsblocks.loadbalancer.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Authenticates requests by the client certificate of a mutual-TLS connection.
 *
 * <p>The chain must already be verified by the TLS layer (e.g. {@code
 * io.dsblocks.loadbalancer.tls.TlsConfig} with client auth and trusted CAs): this authenticator
 * does not check signatures. It derives the principal from the leaf certificate ({@link
 * Builder#principalFrom}: subject common name by default, or the first DNS, URI or e-mail subject
 * alternative name, or the whole subject DN), then applies the allow-lists: the leaf's issuer DN
 * must be one of {@link Builder#allowIssuers} and the principal one of {@link
 * Builder#allowSubjects} (each check skipped when its list is empty). It also rejects a leaf
 * outside its validity at the injected clock's time, because a resumed TLS session can outlive the
 * certificate it was established with.
 *
 * <p>Outcomes: no certificate → {@link AuthResult.Outcome#NO_CREDENTIALS}; expired, or no usable
 * name → 401; issuer or subject not allowed → 403; otherwise allowed as {@code mtls:<name>} with
 * claims {@code subject}, {@code issuer}, {@code serial}, {@code san_dns}, {@code san_uri}, {@code
 * san_email} and {@code roles} (from {@link Builder#roles}).
 *
 * <p>Immutable and thread-safe.
 */
public final class MtlsAuthenticator implements Authenticator {
  /**
   * Which part of the client certificate names the principal. Enum constants are immutable and
   * thread-safe.
   */
  public enum PrincipalSource {
    /**
     * The most specific CN attribute of the subject, e.g. {@code alice} in {@code CN=alice,O=x}.
     */
    SUBJECT_CN,
    /** The whole subject DN in RFC 2253 form. */
    SUBJECT_DN,
    /** The first DNS-name subject alternative name. */
    SAN_DNS,
    /** The first URI subject alternative name, e.g. a SPIFFE ID {@code spiffe://org/ns/svc}. */
    SAN_URI,
    /** The first e-mail (rfc822Name) subject alternative name. */
    SAN_EMAIL
  }

  private static final int SAN_EMAIL = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  private final PrincipalSource source;
  private final Set<String> allowedSubjects;
  private final Set<X500Principal> allowedIssuers;
  private final Map<String, List<String>> roles;
  private final InstantSource clock;

  private MtlsAuthenticator(Builder b) {
    this.source = b.source;
    this.allowedSubjects = Set.copyOf(b.allowedSubjects);
    this.allowedIssuers = Set.copyOf(b.allowedIssuers);
    this.roles = Map.copyOf(b.roles);
    this.clock = b.clock;
  }

  /**
   * A builder: principal from the subject CN, any verified certificate accepted.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    List<X509Certificate> chain = request.clientCertificates();
    if (chain.isEmpty()) {
      return AuthResult.noCredentials("no client certificate", null);
    }
    X509Certificate leaf = chain.get(0);
    Instant now = clock.instant();
    if (now.isAfter(leaf.getNotAfter().toInstant())
        || now.isBefore(leaf.getNotBefore().toInstant())) {
      return AuthResult.deny(401, "client certificate outside its validity period", null);
    }
    if (!allowedIssuers.isEmpty() && !allowedIssuers.contains(leaf.getIssuerX500Principal())) {
      return AuthResult.deny(403, "client certificate issuer not allowed", null);
    }
    Map<Integer, List<String>> sans = subjectAlternativeNames(leaf);
    String name = principalName(leaf, sans);
    if (name == null) {
      return AuthResult.deny(401, "client certificate has no " + source + " to name it by", null);
    }
    if (!allowedSubjects.isEmpty() && !allowedSubjects.contains(name)) {
      return AuthResult.deny(403, "client certificate subject not allowed", null);
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("subject", leaf.getSubjectX500Principal().getName());
    claims.put("issuer", leaf.getIssuerX500Principal().getName());
    claims.put("serial", leaf.getSerialNumber().toString(16));
    claims.put("san_dns", sans.getOrDefault(SAN_DNS, List.of()));
    claims.put("san_uri", sans.getOrDefault(SAN_URI, List.of()));
    claims.put("san_email", sans.getOrDefault(SAN_EMAIL, List.of()));
    claims.put("roles", roles.getOrDefault(name, List.of()));
    return AuthResult.allow(AuthPrincipal.of(name, "mtls", claims));
  }

  private String principalName(X509Certificate leaf, Map<Integer, List<String>> sans) {
    switch (source) {
      case SUBJECT_DN:
        return leaf.getSubjectX500Principal().getName();
      case SAN_DNS:
        return first(sans.get(SAN_DNS));
      case SAN_URI:
        return first(sans.get(SAN_URI));
      case SAN_EMAIL:
        return first(sans.get(SAN_EMAIL));
      default:
        return commonName(leaf.getSubjectX500Principal());
    }
  }

  /**
   * The most specific CN of a DN (the leftmost in RFC 2253 order), or {@code null}.
   *
   * @param dn the distinguished name
   * @return the CN value
   */
  static String commonName(X500Principal dn) {
    try {
      List<Rdn> rdns = new LdapName(dn.getName(X500Principal.RFC2253)).getRdns();
      // LdapName lists RDNs right to left, so the most specific one is last.
      for (int i = rdns.size() - 1; i >= 0; i--) {
        Rdn rdn = rdns.get(i);
        if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String) {
          return (String) rdn.getValue();
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private static Map<Integer, List<String>> subjectAlternativeNames(X509Certificate cert) {
    Map<Integer, List<String>> out = new HashMap<>();
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return out;
    }
    if (sans == null) {
      return out;
    }
    for (List<?> san : sans) {
      if (san.size() >= 2 && san.get(0) instanceof Integer && san.get(1) instanceof String) {
        out.computeIfAbsent((Integer) san.get(0), k -> new ArrayList<>()).add((String) san.get(1));
      }
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return out;
  }

  private static String first(List<String> values) {
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Builds an {@link MtlsAuthenticator}. Not thread-safe. */
  public static final class Builder {
    private PrincipalSource source = PrincipalSource.SUBJECT_CN;
    private final List<String> allowedSubjects = new ArrayList<>();
    private final List<X500Principal> allowedIssuers = new ArrayList<>();
    private final Map<String, List<String>> roles = new HashMap<>();
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /**
     * Sets which part of the certificate names the principal.
     *
     * @param source the source (default {@link PrincipalSource#SUBJECT_CN})
     * @return this builder
     */
    public Builder principalFrom(PrincipalSource source) {
      this.source = Objects.requireNonNull(source, "principalFrom");
      return this;
    }

    /**
     * Accepts only these principal names (as derived by {@link #principalFrom}); default: any.
     *
     * @param names exact names
     * @return this builder
     */
    public Builder allowSubjects(String... names) {
      for (String n : names) {
        if (n == null || n.isEmpty()) {
          throw new IllegalArgumentException("allowSubjects must be non-empty, got '" + n + "'");
        }
        allowedSubjects.add(n);
      }
      return this;
    }

    /**
     * Accepts only leaf certificates issued by these CAs (compared as X.500 names, so spacing and
     * attribute-name case do not matter); default: any CA the TLS layer trusts.
     *
     * @param distinguishedNames issuer DNs, e.g. {@code CN=Clients CA,O=Example}
     * @return this builder
     */
    public Builder allowIssuers(String... distinguishedNames) {
      for (String dn : distinguishedNames) {
        try {
          allowedIssuers.add(new X500Principal(Objects.requireNonNull(dn, "allowIssuers")));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "allowIssuers: '" + dn + "' is not a distinguished name: " + e.getMessage(), e);
        }
      }
      return this;
    }

    /**
     * Grants roles to a principal name (claim {@code roles}).
     *
     * @param principal the name
     * @param roles the roles
     * @return this builder
     */
    public Builder roles(String principal, String... roles) {
      Objects.requireNonNull(principal, "principal");
      this.roles.put(principal, List.of(roles));
      return this;
    }

    /**
     * Sets the clock certificate validity is checked against.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the authenticator.
     *
     * @return the authenticator
     */
    public MtlsAuthenticator build() {
      return new MtlsAuthenticator(this);
    }
  }
}
