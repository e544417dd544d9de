package io.dsblocks.loadbalancer.config;

import io.dsblocks.loadbalancer.tls.IssuedCertificate;
import io.dsblocks.loadbalancer.tls.SelfSignedCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A temp directory holding the documented example configuration and the certificate files it names,
 * plus the environment its secrets come from.
 */
final class ExampleDir {
  static final Path EXAMPLE = Path.of("src/main/config-examples/proxy.yaml");
  static final String PARTNER_A_KEY = "partner-a-secret-key";
  static final String JWT_SECRET = "0123456789abcdef0123456789abcdef-jwt";
  static final Map<String, String> ENV =
      Map.of("PARTNER_A_KEY", PARTNER_A_KEY, "JWT_SECRET", JWT_SECRET);

  final Path dir;
  final Path config;
  final SelfSignedCertificates.Authority ca;
  final SelfSignedCertificates.Authority clientCa;

  ExampleDir(Path dir) {
    this.dir = dir;
    try {
      Path certs = Files.createDirectories(dir.resolve("certs"));
      ca = SelfSignedCertificates.newAuthority("config test CA");
      clientCa = SelfSignedCertificates.newAuthority("config test client CA");
      ca.newCertificate("default")
          .dnsNames("localhost")
          .serverAuth()
          .issue()
          .writePem(certs.resolve("default.pem"), certs.resolve("default.key"));
      ca.newCertificate("api.example.com")
          .dnsNames("api.example.com")
          .serverAuth()
          .issue()
          .writePem(certs.resolve("api.pem"), certs.resolve("api.key"));
      Files.writeString(certs.resolve("clients-ca.pem"), clientCa.certificate().certificatePem());
      config = dir.resolve("proxy.yaml");
      Files.copy(EXAMPLE, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String text() {
    try {
      return Files.readString(config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses YAML text as if it were a file in this directory, with the example's environment. */
  ProxyConfigFile parse(String yaml) {
    return ProxyConfigFile.loader().environment(ENV).baseDirectory(dir).parse(yaml, "test.yaml");
  }

  IssuedCertificate issue(String cn) {
    return ca.newCertificate(cn).dnsNames(cn).serverAuth().issue();
  }
}
