package io.dsblocks.loadbalancer.internal.tls;

import io.dsblocks.loadbalancer.internal.tls.TlsMaterial.Entry;
import io.dsblocks.loadbalancer.internal.tls.TlsMaterial.Parsed;
import io.dsblocks.loadbalancer.tls.TlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * One immutable generation of server SSL contexts: the default and one per SNI name, plus the
 * wildcard-aware lookup table. A reload builds a whole new generation and swaps it in atomically,
 * so a handshake never sees half of an update.
 */
public final class ServerContexts {
  private final Parsed material;
  private final SslContext defaultContext;
  private final Mapping<String, SslContext> byName;

  private ServerContexts(
      Parsed material, SslContext defaultContext, Mapping<String, SslContext> m) {
    this.material = material;
    this.defaultContext = defaultContext;
    this.byName = m;
  }

  /**
   * Builds contexts for validated material.
   *
   * @param config the settings
   * @param material the keys and chains
   * @param provider the resolved implementation (OPENSSL or JDK)
   * @return the generation
   * @throws IllegalArgumentException if the provider rejects the settings
   */
  public static ServerContexts build(TlsConfig config, Parsed material, SslProvider provider) {
    SslContext def = context(config, material.defaultEntry(), material, provider);
    DomainWildcardMappingBuilder<SslContext> table = new DomainWildcardMappingBuilder<>(def);
    for (Entry e : material.sniEntries()) {
      table.add(e.serverName(), context(config, e, material, provider));
    }
    return new ServerContexts(material, def, table.build());
  }

  private static SslContext context(
      TlsConfig config, Entry entry, Parsed material, SslProvider provider) {
    SslContextBuilder b =
        SslContextBuilder.forServer(entry.key(), entry.chainArray())
            .sslProvider(provider)
            .protocols(config.protocols())
            .ciphers(config.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE)
            .sessionTimeout(config.sessionTimeout().toSeconds())
            .clientAuth(clientAuth(config));
    if (!material.trusted().isEmpty()) {
      b.trustManager(material.trusted());
    }
    if (!config.applicationProtocols().isEmpty()) {
      // NO_ADVERTISE + ACCEPT: a client offering none of our protocols still connects (without
      // ALPN) and the proxy falls back to HTTP/1.1, instead of failing the handshake.
      b.applicationProtocolConfig(
          new ApplicationProtocolConfig(
              Protocol.ALPN,
              SelectorFailureBehavior.NO_ADVERTISE,
              SelectedListenerFailureBehavior.ACCEPT,
              config.applicationProtocols()));
    }
    SslContext ctx;
    try {
      ctx = b.build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(
          "TLS provider "
              + provider
              + " rejected the settings for certificate "
              + entry.chainFile()
              + ": "
              + e.getMessage(),
          e);
    }
    if (ctx.cipherSuites().isEmpty()) {
      throw new IllegalArgumentException(
          "cipherSuites: none of "
              + config.cipherSuites()
              + " is supported by provider "
              + provider);
    }
    return ctx;
  }

  private static ClientAuth clientAuth(TlsConfig config) {
    switch (config.clientAuth()) {
      case OPTIONAL:
        return ClientAuth.OPTIONAL;
      case REQUIRE:
        return ClientAuth.REQUIRE;
      default:
        return ClientAuth.NONE;
    }
  }

  /**
   * Picks the context for an SNI name; the default for {@code null} or unknown names.
   *
   * @param serverName the client's SNI name, or {@code null}
   * @return the context
   */
  public SslContext select(String serverName) {
    if (serverName == null) {
      return defaultContext;
    }
    return byName.map(serverName.toLowerCase(Locale.ROOT));
  }

  /**
   * The default context.
   *
   * @return the context served without SNI
   */
  public SslContext defaultContext() {
    return defaultContext;
  }

  /**
   * The material these contexts were built from.
   *
   * @return the parsed files
   */
  public Parsed material() {
    return material;
  }

  /**
   * Every entry, default first.
   *
   * @return a new list
   */
  public List<Entry> entries() {
    List<Entry> all = new ArrayList<>();
    all.add(material.defaultEntry());
    all.addAll(material.sniEntries());
    return all;
  }
}
