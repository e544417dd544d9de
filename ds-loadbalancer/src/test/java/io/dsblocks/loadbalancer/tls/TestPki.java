package io.dsblocks.loadbalancer.tls;

import java.nio.file.Path;
import java.time.Instant;

/** A CA in a temp directory that writes server certificate files for tests. */
final class TestPki {
  /** Paths of one written certificate chain and key. */
  record Files(Path chain, Path key, IssuedCertificate issued) {}

  final Path dir;
  final SelfSignedCertificates.Authority ca;
  final Path caPem;

  TestPki(Path dir, String caName) {
    this.dir = dir;
    this.ca = SelfSignedCertificates.newAuthority(caName);
    this.caPem = dir.resolve(caName.replace(' ', '-') + "-ca.pem");
    IssuedCertificate.write(caPem, ca.certificate().certificatePem(), false);
  }

  /**
   * Issues a server certificate with common name {@code cn} and writes it as {@code file}.pem/.key.
   */
  Files server(String file, String cn, String... dnsNames) {
    IssuedCertificate c =
        ca.newCertificate(cn).dnsNames(dnsNames).ipAddresses("127.0.0.1").serverAuth().issue();
    return write(file, c);
  }

  Files serverValid(String file, String cn, Instant from, Instant until) {
    IssuedCertificate c = ca.newCertificate(cn).serverAuth().validity(from, until).issue();
    return write(file, c);
  }

  Files write(String file, IssuedCertificate c) {
    Path chain = dir.resolve(file + ".pem");
    Path key = dir.resolve(file + ".key");
    c.writePem(chain, key);
    return new Files(chain, key, c);
  }

  IssuedCertificate client(String cn) {
    return ca.newCertificate(cn).clientAuth().issue();
  }
}
