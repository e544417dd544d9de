package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.tls.IssuedCertificate;
import io.dsblocks.loadbalancer.tls.SelfSignedCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A test CA, certificate files, TLS clients and HS256 tokens for the HTTPS/HTTP/2 proxy tests. */
final class TlsFixtures {
  private static final char[] PASSWORD = "changeit".toCharArray();

  final SelfSignedCertificates.Authority ca;
  final Path dir;

  TlsFixtures(Path dir) {
    this.dir = dir;
    this.ca = SelfSignedCertificates.newAuthority("Proxy Test CA");
  }

  /** A server certificate for 127.0.0.1 (and the given DNS names), written as name.pem/name.key. */
  Path[] server(String name, String cn, String... dnsNames) {
    IssuedCertificate c =
        ca.newCertificate(cn).dnsNames(dnsNames).ipAddresses("127.0.0.1").serverAuth().issue();
    Path chain = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    c.writePem(chain, key);
    return new Path[] {chain, key};
  }

  /** The CA certificate as a PEM file (the trust anchor for client certificates). */
  Path caFile() {
    Path p = dir.resolve("ca.pem");
    try {
      java.nio.file.Files.writeString(p, ca.certificate().certificatePem());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }

  IssuedCertificate client(String cn) {
    return ca.newCertificate(cn).clientAuth().issue();
  }

  /** Trusts the test CA; presents {@code clientCert} if not null. */
  SSLContext sslContext(IssuedCertificate clientCert) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate().certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (clientCert != null) {
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(clientCert.toKeyStore(PASSWORD), PASSWORD);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  HttpClient client(HttpClient.Version version, IssuedCertificate clientCert) {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(sslContext(clientCert))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** A connected, handshaken TLS socket with an explicit SNI name (or none) and ALPN list. */
  SSLSocket socket(int port, String sniName, String... alpn) throws IOException {
    SSLSocket s = (SSLSocket) sslContext(null).getSocketFactory().createSocket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(10_000);
    SSLParameters p = s.getSSLParameters();
    if (sniName != null) {
      p.setServerNames(List.of(new SNIHostName(sniName)));
    }
    if (alpn.length > 0) {
      p.setApplicationProtocols(alpn);
    }
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  /** An HS256 JWT with the given claims JSON. */
  static String hs256(String kid, byte[] secret, String claimsJson) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString(
            ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
      return header + "." + payload + "." + b64.encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a whole HTTP/1.1 response with Content-Length from a socket (test helper). */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int contentLength = -1;
    int headerEnd = -1;
    byte[] chunk = new byte[4096];
    while (true) {
      int n = in.read(chunk);
      if (n < 0) {
        break;
      }
      buf.write(chunk, 0, n);
      String s = buf.toString(StandardCharsets.ISO_8859_1);
      if (headerEnd < 0) {
        headerEnd = s.indexOf("\r\n\r\n");
        if (headerEnd >= 0) {
          for (String line : s.substring(0, headerEnd).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
              contentLength = Integer.parseInt(line.substring(15).trim());
            }
          }
        }
      }
      if (headerEnd >= 0 && contentLength >= 0 && buf.size() >= headerEnd + 4 + contentLength) {
        return s.substring(0, headerEnd + 4 + contentLength);
      }
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }
}
