/**
 * TLS termination for the proxy: {@link io.dsblocks.loadbalancer.tls.TlsConfig} (PEM certificates
 * per SNI name, TLS 1.2/1.3, ALPN, mTLS, provider choice) validated at build time, {@link
 * io.dsblocks.loadbalancer.tls.TlsContextProvider} (per-connection SNI handlers, hot reload),
 * {@link io.dsblocks.loadbalancer.tls.TlsSessions} (client chain and ALPN result after the
 * handshake) and {@link io.dsblocks.loadbalancer.tls.SelfSignedCertificates} for development PKIs.
 */
package io.dsblocks.loadbalancer.tls;
