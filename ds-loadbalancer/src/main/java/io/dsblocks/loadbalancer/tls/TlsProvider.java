package io.dsblocks.loadbalancer.tls;

/**
 * Which TLS implementation terminates connections.
 *
 * <p>OpenSSL (BoringSSL from {@code io.netty:netty-tcnative-boringssl-static}) is faster and
 * allocates less than the JDK's engine; the JDK provider needs no native library. {@link #AUTO}
 * takes OpenSSL when it loads and falls back to the JDK otherwise, so adding or removing the
 * optional native jar never breaks a deployment. {@link TlsInfo#provider()} reports the choice.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum TlsProvider {
  /** OpenSSL when {@code io.netty.handler.ssl.OpenSsl.isAvailable()}, else the JDK. */
  AUTO,
  /** OpenSSL through netty-tcnative; building a config fails if it is not available. */
  OPENSSL,
  /** The JDK's {@code SSLEngine}. */
  JDK
}
