package io.dsblocks.loadbalancer.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.loadbalancer.tls.IssuedCertificate;
import io.dsblocks.loadbalancer.tls.SelfSignedCertificates;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Principal extraction from Bouncy Castle-generated client certificates. */
class MtlsAuthenticatorTest {
  static final SelfSignedCertificates.Authority CA =
      SelfSignedCertificates.newAuthority("Clients CA");
  static final SelfSignedCertificates.Authority OTHER_CA =
      SelfSignedCertificates.newAuthority("Partner CA");
  static final IssuedCertificate ALICE =
      CA.newCertificate("alice")
          .clientAuth()
          .dnsNames("alice.clients.test")
          .uris("spiffe://example.test/ns/prod/sa/alice")
          .emails("alice@example.test")
          .issue();

  static AuthRequest withChain(List<X509Certificate> chain) {
    return AuthRequest.of(
        "GET", "/", "api.test", RequestHeaders.empty(), chain.toArray(new X509Certificate[0]));
  }

  @Test
  void subjectCommonNameIsTheDefaultPrincipal() {
    MtlsAuthenticator a = MtlsAuthenticator.builder().roles("alice", "reader").build();
    AuthResult r = a.authenticate(withChain(ALICE.chain()));
    assertThat(r.isAllowed()).isTrue();
    AuthPrincipal p = r.principal().orElseThrow();
    assertThat(p.name()).isEqualTo("alice");
    assertThat(p.scheme()).isEqualTo("mtls");
    assertThat(p.claim("subject")).isEqualTo("CN=alice");
    assertThat(p.claim("issuer")).isEqualTo("CN=Clients CA");
    assertThat(p.claim("san_dns")).isEqualTo(List.of("alice.clients.test"));
    assertThat(p.claim("serial")).isEqualTo(ALICE.certificate().getSerialNumber().toString(16));
    assertThat(p.claimAsSet("roles")).containsExactly("reader");
  }

  @Test
  void otherPrincipalSources() {
    assertThat(name(MtlsAuthenticator.PrincipalSource.SAN_DNS)).isEqualTo("alice.clients.test");
    assertThat(name(MtlsAuthenticator.PrincipalSource.SAN_URI))
        .isEqualTo("spiffe://example.test/ns/prod/sa/alice");
    assertThat(name(MtlsAuthenticator.PrincipalSource.SAN_EMAIL)).isEqualTo("alice@example.test");
    assertThat(name(MtlsAuthenticator.PrincipalSource.SUBJECT_DN)).isEqualTo("CN=alice");
    IssuedCertificate noSans = CA.newCertificate("bare").clientAuth().issue();
    AuthResult r =
        MtlsAuthenticator.builder()
            .principalFrom(MtlsAuthenticator.PrincipalSource.SAN_URI)
            .build()
            .authenticate(withChain(noSans.chain()));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.reason()).contains("no SAN_URI");
  }

  @Test
  void commonNameWithSpecialCharactersIsUnescaped() {
    IssuedCertificate odd = CA.newCertificate("Smith, John+1").clientAuth().issue();
    AuthResult r = MtlsAuthenticator.builder().build().authenticate(withChain(odd.chain()));
    assertThat(r.principal().orElseThrow().name()).isEqualTo("Smith, John+1");
  }

  @Test
  void allowListsOfSubjectsAndIssuers() {
    MtlsAuthenticator onlyBob = MtlsAuthenticator.builder().allowSubjects("bob").build();
    AuthResult r = onlyBob.authenticate(withChain(ALICE.chain()));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.reason()).isEqualTo("client certificate subject not allowed");

    MtlsAuthenticator ourCa = MtlsAuthenticator.builder().allowIssuers("cn=Clients CA").build();
    assertThat(ourCa.authenticate(withChain(ALICE.chain())).isAllowed()).isTrue();
    IssuedCertificate partner = OTHER_CA.newCertificate("alice").clientAuth().issue();
    AuthResult p = ourCa.authenticate(withChain(partner.chain()));
    assertThat(p.status()).isEqualTo(403);
    assertThat(p.reason()).isEqualTo("client certificate issuer not allowed");
    assertThatThrownBy(() -> MtlsAuthenticator.builder().allowIssuers("not a dn"))
        .hasMessageContaining("allowIssuers: 'not a dn' is not a distinguished name");
  }

  @Test
  void noCertificateAndExpiredCertificate() {
    MtlsAuthenticator a = MtlsAuthenticator.builder().build();
    AuthResult none = a.authenticate(AuthRequest.of("GET", "/", RequestHeaders.empty()));
    assertThat(none.outcome()).isEqualTo(AuthResult.Outcome.NO_CREDENTIALS);
    Instant after = ALICE.certificate().getNotAfter().toInstant().plus(Duration.ofSeconds(1));
    MtlsAuthenticator later = MtlsAuthenticator.builder().clock(new TestClock(after)).build();
    AuthResult expired = later.authenticate(withChain(ALICE.chain()));
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.reason()).contains("outside its validity");
  }

  private static String name(MtlsAuthenticator.PrincipalSource source) {
    return MtlsAuthenticator.builder()
        .principalFrom(source)
        .build()
        .authenticate(withChain(ALICE.chain()))
        .principal()
        .orElseThrow()
        .name();
  }
}
