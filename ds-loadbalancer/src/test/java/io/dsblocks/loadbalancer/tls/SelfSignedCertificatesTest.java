package io.dsblocks.loadbalancer.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificatesTest {
  @TempDir Path dir;

  @Test
  void authorityIsACaAndSignsLeaves() throws Exception {
    SelfSignedCertificates.Authority ca = SelfSignedCertificates.newAuthority("Test CA, Inc.");
    X509Certificate root = ca.certificate().certificate();
    assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
    root.verify(root.getPublicKey());

    IssuedCertificate server =
        ca.newCertificate("localhost")
            .dnsNames("localhost", "*.example.test")
            .ipAddresses("127.0.0.1", "::1")
            .serverAuth()
            .issue();
    X509Certificate leaf = server.certificate();
    leaf.verify(root.getPublicKey()); // throws if not signed by the CA
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(leaf.getSubjectAlternativeNames())
        .contains(List.of(2, "localhost"), List.of(2, "*.example.test"), List.of(7, "127.0.0.1"));
    assertThat(server.chain()).containsExactly(leaf, root);
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
  }

  @Test
  void clientCertificatesCarryClientAuthAndSans() throws Exception {
    SelfSignedCertificates.Authority ca = SelfSignedCertificates.newAuthority("clients");
    X509Certificate c =
        ca.newCertificate("alice")
            .clientAuth()
            .uris("spiffe://example.test/alice")
            .emails("alice@example.test")
            .keyType(SelfSignedCertificates.KeyType.RSA_2048)
            .issue()
            .certificate();
    assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(c.getSubjectAlternativeNames())
        .contains(List.of(6, "spiffe://example.test/alice"), List.of(1, "alice@example.test"));
  }

  @Test
  void localhostPkiIsUsableByTlsConfigAndKeysAreOwnerOnly() throws Exception {
    SelfSignedCertificates.LocalhostPki pki =
        SelfSignedCertificates.writeLocalhostPki(dir.resolve("pki"));
    TlsConfig config =
        TlsConfig.builder()
            .defaultCertificate(pki.serverCertificate(), pki.serverKey())
            .clientAuth(ClientAuthMode.REQUIRE)
            .trustedClientCertificates(pki.caCertificate())
            .build();
    assertThat(config.defaultCertificate().certificateChain()).isEqualTo(pki.serverCertificate());
    assertThat(Files.readString(pki.clientCertificate())).contains("BEGIN CERTIFICATE");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.serverKey())))
        .isEqualTo("rw-------");
    // No temporary files are left behind by the atomic writes.
    try (var files = Files.list(dir.resolve("pki"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "ca.pem", "server.pem", "server.key", "client.pem", "client.key");
    }
  }

  @Test
  void keyStoreHoldsTheChain() throws Exception {
    IssuedCertificate c =
        SelfSignedCertificates.newAuthority("ks").newCertificate("bob").clientAuth().issue();
    KeyStore ks = c.toKeyStore("pw".toCharArray());
    assertThat(ks.getCertificateChain("key")).hasSize(2);
    assertThat(ks.getKey("key", "pw".toCharArray())).isEqualTo(c.privateKey());
  }

  @Test
  void badRequestsAreRejected() {
    SelfSignedCertificates.Authority ca = SelfSignedCertificates.newAuthority("x");
    assertThatThrownBy(() -> SelfSignedCertificates.newAuthority(" "))
        .hasMessageContaining("commonName must be non-blank");
    assertThatThrownBy(() -> ca.newCertificate("a").ipAddresses("localhost"))
        .hasMessageContaining("ipAddresses must be IPv4 or IPv6 literals, got 'localhost'");
    Instant t = Instant.parse("2030-01-01T00:00:00Z");
    assertThatThrownBy(() -> ca.newCertificate("a").validity(t, t))
        .hasMessageContaining("must be after notBefore");
    assertThatThrownBy(() -> ca.newCertificate("a").uris("not a uri"))
        .hasMessageContaining("uris must be absolute URIs");
  }
}
