package io.dsblocks.loadbalancer.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A JDK SSLSocket client: an independent TLS implementation on the other end of the tests. */
final class TlsTestClient {
  /** What the client saw. */
  record Result(X509Certificate peer, String protocol, String alpn, String line) {
    String peerCn() {
      return peer.getSubjectX500Principal().getName();
    }
  }

  private final List<X509Certificate> trusted = new ArrayList<>();
  private String sni;
  private String[] protocols = {"TLSv1.3", "TLSv1.2"};
  private String[] alpn;
  private IssuedCertificate clientCertificate;

  TlsTestClient trust(X509Certificate ca) {
    trusted.add(ca);
    return this;
  }

  TlsTestClient sni(String name) {
    this.sni = name;
    return this;
  }

  TlsTestClient protocols(String... p) {
    this.protocols = p;
    return this;
  }

  TlsTestClient alpn(String... p) {
    this.alpn = p;
    return this;
  }

  TlsTestClient certificate(IssuedCertificate c) {
    this.clientCertificate = c;
    return this;
  }

  /**
   * Connects, handshakes and reads the server's first line ("OK" after a successful handshake).
   * Throws if the handshake fails on either side: with TLS 1.3 a server-side rejection of the
   * client certificate only shows when the client reads.
   */
  Result connect(int port) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    for (int i = 0; i < trusted.size(); i++) {
      ts.setCertificateEntry("ca" + i, trusted.get(i));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    KeyManagerFactory kmf = null;
    if (clientCertificate != null) {
      char[] pw = "test".toCharArray();
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(clientCertificate.toKeyStore(pw), pw);
    }
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(protocols);
      if (sni != null) {
        p.setServerNames(List.of(new SNIHostName(sni)));
      }
      if (alpn != null) {
        p.setApplicationProtocols(alpn);
      }
      s.setSSLParameters(p);
      s.startHandshake();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String line = in.readLine();
      if (line == null) {
        throw new IOException("server closed the connection after the handshake");
      }
      String negotiated = s.getApplicationProtocol();
      return new Result(
          (X509Certificate) s.getSession().getPeerCertificates()[0],
          s.getSession().getProtocol(),
          negotiated == null || negotiated.isEmpty() ? null : negotiated,
          line);
    }
  }
}
