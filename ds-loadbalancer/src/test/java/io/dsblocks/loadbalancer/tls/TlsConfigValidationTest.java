package io.dsblocks.loadbalancer.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad certificate files and settings fail at build() with a message naming the file/field. */
class TlsConfigValidationTest {
  @TempDir Path dir;
  TestPki pki;
  TestPki.Files good;

  @BeforeEach
  void setUp() {
    pki = new TestPki(dir, "validation CA");
    good = pki.server("good", "good.example.test", "good.example.test");
  }

  @Test
  void validFilesBuild() {
    TlsConfig c =
        TlsConfig.builder()
            .defaultCertificate(good.chain(), good.key())
            .certificate("API.Example.Test.", good.chain(), good.key())
            .build();
    assertThat(c.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(c.applicationProtocols()).containsExactly("h2", "http/1.1");
    // Names are normalized: lower case, no trailing dot.
    assertThat(c.sniCertificates().get(0).serverName()).isEqualTo("api.example.test");
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> TlsConfig.of(missing, good.key()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("cannot be read: no such file");
  }

  @Test
  void garbageIsNotACertificate() throws Exception {
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "hello, I am not a certificate\n");
    assertThatThrownBy(() -> TlsConfig.of(junk, good.key()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(junk.toString())
        .hasMessageContaining("is not a PEM certificate");
  }

  @Test
  void corruptCertificateBodyIsReported() throws Exception {
    Path bad = dir.resolve("bad.pem");
    String body =
        Base64.getEncoder().encodeToString("not DER at all".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(
        bad, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> TlsConfig.of(bad, good.key()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("not a valid X.509 certificate");
  }

  @Test
  void swappedPathsGetAHint() {
    assertThatThrownBy(() -> TlsConfig.of(good.key(), good.chain()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(good.key().toString())
        .hasMessageContaining("swapped");
  }

  @Test
  void keyOfAnotherCertificateIsAMismatch() {
    TestPki.Files other = pki.server("other", "other.example.test");
    assertThatThrownBy(() -> TlsConfig.of(good.chain(), other.key()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(other.key().toString())
        .hasMessageContaining(good.chain().toString())
        .hasMessageContaining("does not match")
        .hasMessageContaining("EC public keys differ");
  }

  @Test
  void rsaKeyMismatchAndTypeMismatch() {
    TestPki.Files rsaA =
        pki.write(
            "rsaA",
            pki.ca.newCertificate("a").keyType(SelfSignedCertificates.KeyType.RSA_2048).issue());
    TestPki.Files rsaB =
        pki.write(
            "rsaB",
            pki.ca.newCertificate("b").keyType(SelfSignedCertificates.KeyType.RSA_2048).issue());
    assertThat(TlsConfig.of(rsaA.chain(), rsaA.key())).isNotNull();
    assertThatThrownBy(() -> TlsConfig.of(rsaA.chain(), rsaB.key()))
        .hasMessageContaining("RSA moduli differ");
    assertThatThrownBy(() -> TlsConfig.of(good.chain(), rsaB.key()))
        .hasMessageContaining("the key is RSA but the certificate's key is EC");
  }

  @Test
  void expiredCertificateIsAnError() {
    Instant now = Instant.now();
    TestPki.Files expired =
        pki.serverValid(
            "expired", "old", now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
    assertThatThrownBy(() -> TlsConfig.of(expired.chain(), expired.key()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expired.chain().toString())
        .hasMessageContaining("expired at");
  }

  @Test
  void notYetValidCertificateIsAnError() {
    Instant now = Instant.now();
    TestPki.Files future =
        pki.serverValid(
            "future", "new", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(9)));
    assertThatThrownBy(() -> TlsConfig.of(future.chain(), future.key()))
        .hasMessageContaining("is not valid before");
  }

  @Test
  void validityIsCheckedAgainstTheInjectedClock() {
    Instant later = good.issued().certificate().getNotAfter().toInstant().plusSeconds(1);
    assertThatThrownBy(
            () ->
                TlsConfig.builder()
                    .defaultCertificate(good.chain(), good.key())
                    .clock(InstantSource.fixed(later))
                    .build())
        .hasMessageContaining("expired at");
  }

  @Test
  void chainOutOfOrderIsReported() throws Exception {
    Path reversed = dir.resolve("reversed.pem");
    List<X509Certificate> chain = good.issued().chain();
    Files.writeString(
        reversed,
        new String(Files.readAllBytes(pki.caPem), StandardCharsets.US_ASCII)
            + good.issued().certificatePem());
    assertThat(chain).hasSize(2);
    assertThatThrownBy(() -> TlsConfig.of(reversed, good.key()))
        .hasMessageContaining("out of order");
  }

  @Test
  void pkcs1AndEncryptedKeysGetConversionAdvice() throws Exception {
    Path pkcs1 = dir.resolve("pkcs1.key");
    Files.writeString(
        pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsConfig.of(good.chain(), pkcs1))
        .hasMessageContaining(pkcs1.toString())
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    Path enc = dir.resolve("enc.key");
    Files.writeString(
        enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsConfig.of(good.chain(), enc)).hasMessageContaining("encrypted");
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> TlsConfig.builder().build())
        .hasMessageContaining("defaultCertificate is required");
    assertThatThrownBy(() -> base().certificate("bad name!", good.chain(), good.key()).build())
        .hasMessageContaining("serverName 'bad name!'");
    assertThatThrownBy(
            () ->
                base()
                    .certificate("a.example.test", good.chain(), good.key())
                    .certificate("A.example.test", good.chain(), good.key())
                    .build())
        .hasMessageContaining("configured twice");
    assertThatThrownBy(() -> base().protocols("SSLv3").build())
        .hasMessageContaining("protocols contains 'SSLv3'");
    assertThatThrownBy(() -> base().protocols().build()).hasMessageContaining("protocols must not");
    assertThatThrownBy(() -> base().clientAuth(ClientAuthMode.REQUIRE).build())
        .hasMessageContaining("needs trustedClientCertificates");
    assertThatThrownBy(() -> base().trustedClientCertificates(pki.caPem).build())
        .hasMessageContaining("clientAuth is NONE");
    assertThatThrownBy(() -> base().handshakeTimeout(Duration.ZERO).build())
        .hasMessageContaining("handshakeTimeout is PT0S; allowed: 1 ms to 5 minutes");
    assertThatThrownBy(() -> base().sessionTimeout(Duration.ofDays(2)).build())
        .hasMessageContaining("sessionTimeout");
    assertThatThrownBy(() -> base().applicationProtocols("h2", "").build())
        .hasMessageContaining("applicationProtocols contains ''");
    assertThatThrownBy(() -> base().cipherSuites(List.of()).build())
        .hasMessageContaining("cipherSuites must not be empty");
    assertThat(base().certificate("*.wild.example.test", good.chain(), good.key()).build())
        .isNotNull();
  }

  @Test
  void unsupportedCiphersAreRejectedWhenTheProviderBuilds() {
    TlsConfig c =
        base()
            .provider(TlsProvider.JDK)
            .cipherSuites(List.of("TLS_NO_SUCH_SUITE_WITH_NOTHING"))
            .protocols("TLSv1.2")
            .build();
    assertThatThrownBy(() -> TlsContextProvider.create(c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cipherSuites");
  }

  @Test
  void trustedCaFileMustHoldCertificates() throws Exception {
    Path junk = dir.resolve("ca-junk.pem");
    Files.writeString(junk, "nothing here");
    assertThatThrownBy(
            () -> base().clientAuth(ClientAuthMode.REQUIRE).trustedClientCertificates(junk).build())
        .hasMessageContaining("trusted client CA file " + junk);
  }

  private TlsConfig.Builder base() {
    return TlsConfig.builder().defaultCertificate(good.chain(), good.key());
  }
}
