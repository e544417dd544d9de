package io.dsblocks.loadbalancer.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real handshakes on 127.0.0.1 between a Netty server using {@link TlsContextProvider} and the
 * JDK's SSLSocket, for both the JDK and the OpenSSL (netty-tcnative BoringSSL) server provider.
 */
@Tag("integration")
class TlsHandshakeTest {
  @TempDir Path dir;
  TestPki pki;
  TestPki.Files defaults;
  TestPki.Files api;
  TestPki.Files wild;

  @BeforeEach
  void setUp() {
    pki = new TestPki(dir, "handshake CA");
    defaults = pki.server("default", "default.example.test", "default.example.test");
    api = pki.server("api", "api.example.test", "api.example.test");
    wild = pki.server("wild", "wild.example.test", "*.wild.example.test");
  }

  private TlsConfig.Builder config(TlsProvider provider) {
    assumeTrue(provider != TlsProvider.OPENSSL || OpenSsl.isAvailable(), "OpenSSL not available");
    return TlsConfig.builder()
        .provider(provider)
        .defaultCertificate(defaults.chain(), defaults.key())
        .certificate("api.example.test", api.chain(), api.key())
        .certificate("*.wild.example.test", wild.chain(), wild.key());
  }

  private TlsTestClient client() {
    return new TlsTestClient().trust(pki.ca.certificate().certificate());
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void tls13HandshakeServesTheDefaultCertificateWithoutSni(TlsProvider provider) throws Exception {
    try (TlsContextProvider tls = TlsContextProvider.create(config(provider).build());
        TlsTestServer server = new TlsTestServer(tls)) {
      assertThat(tls.info().provider()).isEqualTo(provider);
      TlsTestClient.Result r = client().connect(server.port());
      assertThat(r.protocol()).isEqualTo("TLSv1.3");
      assertThat(r.line()).isEqualTo("OK");
      assertThat(r.peerCn()).isEqualTo("CN=default.example.test");
      TlsTestServer.Handshake h = server.next();
      assertThat(h.success()).isTrue();
      assertThat(h.protocol()).isEqualTo("TLSv1.3");
      assertThat(h.peer()).isNull();
      assertThat(tls.info().defaultCertificateSelections()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void tls12IsStillAccepted(TlsProvider provider) throws Exception {
    try (TlsContextProvider tls = TlsContextProvider.create(config(provider).build());
        TlsTestServer server = new TlsTestServer(tls)) {
      TlsTestClient.Result r = client().protocols("TLSv1.2").connect(server.port());
      assertThat(r.protocol()).isEqualTo("TLSv1.2");
      assertThat(r.line()).isEqualTo("OK");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void tls11IsRefused(TlsProvider provider) throws Exception {
    // The JDK client refuses to even offer TLS 1.1, so send a hand-made TLS 1.1 ClientHello.
    try (TlsContextProvider tls = TlsContextProvider.create(config(provider).build());
        TlsTestServer server = new TlsTestServer(tls);
        Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(tls11ClientHello());
      s.getOutputStream().flush();
      byte[] reply = readUpTo(s.getInputStream(), 7);
      // Either an alert record (protocol_version or handshake_failure) or a closed connection;
      // never a handshake record (which would carry a ServerHello).
      if (reply.length > 0) {
        assertThat(reply[0]).as("TLS record type").isEqualTo((byte) 21);
        assertThat(reply).hasSize(7);
        assertThat(reply[5]).as("alert level fatal").isEqualTo((byte) 2);
        assertThat((int) reply[6]).as("alert description").isIn(70, 40);
      }
      assertThat(server.next().success()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void sniPicksTheCertificateAndUnknownNamesGetTheDefault(TlsProvider provider) throws Exception {
    try (TlsContextProvider tls = TlsContextProvider.create(config(provider).build());
        TlsTestServer server = new TlsTestServer(tls)) {
      assertThat(client().sni("api.example.test").connect(server.port()).peerCn())
          .isEqualTo("CN=api.example.test");
      assertThat(client().sni("API.Example.Test").connect(server.port()).peerCn())
          .isEqualTo("CN=api.example.test");
      assertThat(client().sni("x.wild.example.test").connect(server.port()).peerCn())
          .isEqualTo("CN=wild.example.test");
      // A wildcard covers exactly one label.
      assertThat(client().sni("a.b.wild.example.test").connect(server.port()).peerCn())
          .isEqualTo("CN=default.example.test");
      assertThat(client().sni("unknown.example.test").connect(server.port()).peerCn())
          .isEqualTo("CN=default.example.test");
      TlsInfo info = tls.info();
      assertThat(info.handshakes()).isEqualTo(5);
      assertThat(info.defaultCertificateSelections()).isEqualTo(2);
      assertThat(info.certificates())
          .extracting(TlsInfo.CertificateInfo::serverName)
          .containsExactly(null, "api.example.test", "*.wild.example.test");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void alpnNegotiatesH2WhenOfferedAndFallsBack(TlsProvider provider) throws Exception {
    try (TlsContextProvider tls = TlsContextProvider.create(config(provider).build());
        TlsTestServer server = new TlsTestServer(tls)) {
      assertThat(client().alpn("h2", "http/1.1").connect(server.port()).alpn()).isEqualTo("h2");
      assertThat(server.next().alpn()).isEqualTo("h2");
      assertThat(client().alpn("http/1.1").connect(server.port()).alpn()).isEqualTo("http/1.1");
      assertThat(server.next().alpn()).isEqualTo("http/1.1");
      // A client without ALPN still connects; the proxy then speaks HTTP/1.1.
      assertThat(client().connect(server.port()).line()).isEqualTo("OK");
      assertThat(server.next().alpn()).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void requiredClientCertificates(TlsProvider provider) throws Exception {
    TlsConfig config =
        config(provider)
            .clientAuth(ClientAuthMode.REQUIRE)
            .trustedClientCertificates(pki.caPem)
            .build();
    try (TlsContextProvider tls = TlsContextProvider.create(config);
        TlsTestServer server = new TlsTestServer(tls)) {
      assertThatThrownBy(() -> client().connect(server.port())).isInstanceOf(IOException.class);
      assertThat(server.next().success()).isFalse();

      IssuedCertificate alice = pki.client("alice");
      TlsTestClient.Result r = client().certificate(alice).connect(server.port());
      assertThat(r.line()).isEqualTo("OK");
      TlsTestServer.Handshake h = server.next();
      assertThat(h.success()).isTrue();
      X509Certificate[] chain = h.peer();
      assertThat(chain).isNotNull();
      assertThat(chain[0].getSubjectX500Principal().getName()).isEqualTo("CN=alice");
      assertThat(chain[0]).isEqualTo(alice.certificate());

      // A certificate from a CA the server does not trust is refused.
      IssuedCertificate mallory =
          SelfSignedCertificates.newAuthority("rogue CA")
              .newCertificate("mallory")
              .clientAuth()
              .issue();
      assertThatThrownBy(() -> client().certificate(mallory).connect(server.port()))
          .isInstanceOf(IOException.class);
      assertThat(server.next().success()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void optionalClientCertificates(TlsProvider provider) throws Exception {
    TlsConfig config =
        config(provider)
            .clientAuth(ClientAuthMode.OPTIONAL)
            .trustedClientCertificates(pki.caPem)
            .build();
    try (TlsContextProvider tls = TlsContextProvider.create(config);
        TlsTestServer server = new TlsTestServer(tls)) {
      assertThat(client().connect(server.port()).line()).isEqualTo("OK");
      assertThat(server.next().peer()).isNull();
      assertThat(client().certificate(pki.client("bob")).connect(server.port()).line())
          .isEqualTo("OK");
      assertThat(server.next().peer()[0].getSubjectX500Principal().getName()).isEqualTo("CN=bob");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void hotReloadServesNewCertificatesAndKeepsOldOnBadFiles(TlsProvider provider) throws Exception {
    List<Object> events = new CopyOnWriteArrayList<>();
    TlsListener listener =
        new TlsListener() {
          @Override
          public void onReloaded(TlsInfo info) {
            events.add(info);
          }

          @Override
          public void onReloadFailed(TlsReloadException error) {
            events.add(error);
          }
        };
    try (TlsContextProvider tls = TlsContextProvider.create(config(provider).build(), listener);
        TlsTestServer server = new TlsTestServer(tls)) {
      assertThat(client().connect(server.port()).peerCn()).isEqualTo("CN=default.example.test");
      assertThat(tls.reload()).as("unchanged files").isFalse();

      pki.write("default", pki.ca.newCertificate("renewed.example.test").serverAuth().issue());
      assertThat(tls.reload()).isTrue();
      assertThat(client().connect(server.port()).peerCn()).isEqualTo("CN=renewed.example.test");
      assertThat(events).hasSize(1).first().isInstanceOf(TlsInfo.class);

      Files.writeString(defaults.chain(), "-----BEGIN CERTIFICATE-----\ntruncated");
      assertThatThrownBy(tls::reload)
          .isInstanceOf(TlsReloadException.class)
          .hasMessageContaining("previous certificates stay in service")
          .hasMessageContaining(defaults.chain().toString());
      assertThat(client().connect(server.port()).peerCn()).isEqualTo("CN=renewed.example.test");
      assertThat(events).hasSize(2).last().isInstanceOf(TlsReloadException.class);

      // A key that does not match the new certificate is refused too.
      TestPki.Files other = pki.server("other", "other");
      Files.copy(
          other.chain(), defaults.chain(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThatThrownBy(tls::reload).hasMessageContaining("does not match");
      assertThat(client().connect(server.port()).peerCn()).isEqualTo("CN=renewed.example.test");

      TlsInfo info = tls.info();
      assertThat(info.reloads()).isEqualTo(1);
      assertThat(info.failedReloads()).isEqualTo(2);
      assertThat(info.lastReloadError()).get().asString().contains("does not match");
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK"})
  void pollingPicksUpChangesAndReportsEachBadContentOnce(TlsProvider provider) throws Exception {
    List<TlsReloadException> failures = new CopyOnWriteArrayList<>();
    TlsListener listener =
        new TlsListener() {
          @Override
          public void onReloadFailed(TlsReloadException error) {
            failures.add(error);
          }
        };
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (TlsContextProvider tls = TlsContextProvider.create(config(provider).build(), listener);
        TlsTestServer server = new TlsTestServer(tls)) {
      // Direct polls first: deterministic, no scheduler involved.
      Files.writeString(defaults.chain(), "garbage 1");
      tls.poll();
      assertThat(failures).as("first sight of a change: wait for the files to settle").isEmpty();
      tls.poll();
      assertThat(failures).hasSize(1);
      tls.poll();
      tls.poll();
      assertThat(failures).as("the same bad content is reported once").hasSize(1);
      Files.writeString(defaults.chain(), "garbage 2");
      tls.poll();
      tls.poll();
      assertThat(failures).hasSize(2);
      assertThat(tls.info().failedReloads()).isEqualTo(2);
      assertThat(client().connect(server.port()).peerCn()).isEqualTo("CN=default.example.test");

      tls.startPolling(scheduler, Duration.ofMillis(20));
      pki.write("default", pki.ca.newCertificate("polled.example.test").serverAuth().issue());
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> tls.info().reloads() == 1);
      assertThat(client().connect(server.port()).peerCn()).isEqualTo("CN=polled.example.test");
      assertThatThrownBy(() -> tls.startPolling(scheduler, Duration.ofMillis(20)))
          .isInstanceOf(IllegalStateException.class);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK", "OPENSSL"})
  void silentClientsAreCutOffByTheHandshakeTimeout(TlsProvider provider) throws Exception {
    TlsConfig config = config(provider).handshakeTimeout(Duration.ofMillis(200)).build();
    try (TlsContextProvider tls = TlsContextProvider.create(config);
        TlsTestServer server = new TlsTestServer(tls);
        Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"JDK"})
  void closedProviderRefusesNewHandlers(TlsProvider provider) {
    TlsContextProvider tls = TlsContextProvider.create(config(provider).build());
    tls.close();
    tls.close();
    assertThatThrownBy(tls::newHandler).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(tls::reload).isInstanceOf(IllegalStateException.class);
  }

  private static byte[] readUpTo(InputStream in, int n) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (out.size() < n) {
      int b;
      try {
        b = in.read();
      } catch (java.net.SocketException e) {
        break; // reset by peer: also a refusal
      }
      if (b < 0) {
        break;
      }
      out.write(b);
    }
    return out.toByteArray();
  }

  /** A minimal TLS 1.1 ClientHello: no supported_versions extension, CBC suites only. */
  private static byte[] tls11ClientHello() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeShort(0x0302); // client_version TLS 1.1
    b.write(new byte[32]); // random
    b.writeByte(0); // session id
    int[] suites = {0xC013, 0xC009, 0x002F, 0x0035};
    b.writeShort(suites.length * 2);
    for (int s : suites) {
      b.writeShort(s);
    }
    b.writeByte(1); // compression methods
    b.writeByte(0);
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    DataOutputStream e = new DataOutputStream(ext);
    e.writeShort(0x000a); // supported_groups: secp256r1
    e.writeShort(4);
    e.writeShort(2);
    e.writeShort(0x0017);
    e.writeShort(0x000b); // ec_point_formats: uncompressed
    e.writeShort(2);
    e.writeByte(1);
    e.writeByte(0);
    b.writeShort(ext.size());
    b.write(ext.toByteArray());
    byte[] hello = body.toByteArray();
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    DataOutputStream r = new DataOutputStream(rec);
    r.writeByte(22); // handshake record
    r.writeShort(0x0301);
    r.writeShort(hello.length + 4);
    r.writeByte(1); // client_hello
    r.writeByte(0);
    r.writeShort(hello.length);
    r.write(hello);
    return rec.toByteArray();
  }
}
