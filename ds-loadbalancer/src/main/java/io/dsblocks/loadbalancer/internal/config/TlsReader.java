package io.dsblocks.loadbalancer.internal.config;

import io.dsblocks.loadbalancer.tls.ClientAuthMode;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.dsblocks.loadbalancer.tls.TlsProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code tls:} section into a {@link TlsConfig}. Each certificate/key pair is checked on
 * its own first (file readable, PEM, key matches the certificate, valid now) so that an error names
 * the entry's line rather than the whole section. Stateless and thread-safe.
 */
final class TlsReader {
  static final List<String> KEYS =
      List.of(
          "certificate",
          "certificates",
          "clientAuth",
          "clientCa",
          "protocols",
          "cipherSuites",
          "alpn",
          "http2",
          "provider",
          "handshakeTimeout",
          "sessionTimeout");
  static final List<String> CERT_KEYS = List.of("cert", "key");
  static final List<String> SNI_CERT_KEYS = List.of("serverName", "cert", "key");

  private static final Map<String, ClientAuthMode> CLIENT_AUTH = new LinkedHashMap<>();
  private static final Map<String, TlsProvider> PROVIDERS = new LinkedHashMap<>();

  static {
    CLIENT_AUTH.put("none", ClientAuthMode.NONE);
    CLIENT_AUTH.put("optional", ClientAuthMode.OPTIONAL);
    CLIENT_AUTH.put("require", ClientAuthMode.REQUIRE);
    PROVIDERS.put("auto", TlsProvider.AUTO);
    PROVIDERS.put("openssl", TlsProvider.OPENSSL);
    PROVIDERS.put("jdk", TlsProvider.JDK);
  }

  private TlsReader() {}

  /** The TLS settings and whether HTTP/2 is offered. */
  record Tls(TlsConfig config, boolean http2) {}

  static Tls read(ConfigNode n) {
    ConfigNode.Mapping m = n.map(KEYS);
    TlsConfig.Builder b = TlsConfig.builder();
    ConfigNode def = m.required("certificate");
    Path[] pair = pair(def, CERT_KEYS);
    b.defaultCertificate(pair[0], pair[1]);
    m.get("certificates")
        .ifPresent(
            list -> {
              for (ConfigNode c : list.list()) {
                Path[] p = pair(c, SNI_CERT_KEYS);
                ConfigNode name = c.map(SNI_CERT_KEYS).required("serverName");
                name.run(() -> b.certificate(name.string(), p[0], p[1]));
              }
            });
    ClientAuthMode mode =
        m.get("clientAuth")
            .map(v -> v.oneOf("clientAuth", CLIENT_AUTH))
            .orElse(ClientAuthMode.NONE);
    b.clientAuth(mode);
    m.get("clientCa")
        .ifPresent(
            v -> {
              List<Path> cas = new ArrayList<>();
              for (ConfigNode f : v.listOrOne()) {
                cas.add(ConfigFiles.readable(f, "client CA"));
              }
              v.run(() -> b.trustedClientCertificates(cas.toArray(new Path[0])));
            });
    if (mode != ClientAuthMode.NONE && !m.has("clientCa")) {
      throw m.get("clientAuth")
          .orElseThrow()
          .error(
              "clientAuth "
                  + mode.name().toLowerCase(java.util.Locale.ROOT)
                  + " needs clientCa: the CA file(s) client certificates must chain to");
    }
    if (mode == ClientAuthMode.NONE && m.has("clientCa")) {
      throw m.keyError(
          "clientCa", "clientCa is set but clientAuth is none: set optional or require");
    }
    m.get("protocols").ifPresent(v -> v.run(() -> b.protocols(v.strings().toArray(new String[0]))));
    m.get("cipherSuites").ifPresent(v -> v.run(() -> b.cipherSuites(v.strings())));
    // Same default as ProxyConfig.Builder.http2: offer h2 unless told not to.
    boolean http2 = m.get("http2").map(ConfigNode::bool).orElse(true);
    if (m.has("alpn")) {
      ConfigNode v = m.required("alpn");
      List<String> alpn = v.strings();
      if (http2 && !alpn.contains(TlsConfig.ALPN_H2)) {
        throw v.error("http2 is true but alpn does not offer 'h2', was " + alpn);
      }
      v.run(() -> b.applicationProtocols(alpn.toArray(new String[0])));
    } else if (http2) {
      b.applicationProtocols(TlsConfig.ALPN_H2, TlsConfig.ALPN_HTTP_1_1);
    } else {
      b.applicationProtocols(TlsConfig.ALPN_HTTP_1_1);
    }
    m.get("provider").ifPresent(v -> v.run(() -> b.provider(v.oneOf("provider", PROVIDERS))));
    m.get("handshakeTimeout").ifPresent(v -> v.run(() -> b.handshakeTimeout(v.duration())));
    m.get("sessionTimeout").ifPresent(v -> v.run(() -> b.sessionTimeout(v.duration())));
    return new Tls(n.apply(b::build), http2);
  }

  /** Checks one certificate/key pair on its own, with errors at its entry. */
  private static Path[] pair(ConfigNode n, List<String> keys) {
    ConfigNode.Mapping m = n.map(keys);
    Path cert = ConfigFiles.readable(m.required("cert"), "certificate");
    Path key = ConfigFiles.readable(m.required("key"), "private key");
    // TlsConfig reads and cross-checks the pair (PEM, key type, key matches the leaf, validity);
    // building a config with just this pair attributes any such problem to this entry.
    n.apply(() -> TlsConfig.builder().defaultCertificate(cert, key).build());
    return new Path[] {cert, key};
  }
}
