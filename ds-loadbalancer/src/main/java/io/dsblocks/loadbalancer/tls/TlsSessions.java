package io.dsblocks.loadbalancer.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads what a finished handshake established: the client's verified certificate chain (for mTLS
 * authentication) and the ALPN protocol (to pick HTTP/2 or HTTP/1.1).
 *
 * <p>Stateless and thread-safe; call from the channel's event loop after the handshake completed.
 */
public final class TlsSessions {
  private TlsSessions() {}

  /**
   * The client's certificate chain, leaf first, as verified against the trusted CAs during the
   * handshake.
   *
   * @param session a handshaken session
   * @return the chain, or {@code null} if the client presented no certificate
   */
  public static X509Certificate[] peerCertificates(SSLSession session) {
    Certificate[] certs;
    try {
      certs = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (certs == null || certs.length == 0) {
      return null;
    }
    X509Certificate[] out = new X509Certificate[certs.length];
    for (int i = 0; i < certs.length; i++) {
      if (!(certs[i] instanceof X509Certificate)) {
        return null;
      }
      out[i] = (X509Certificate) certs[i];
    }
    return out;
  }

  /**
   * The client's verified certificate chain for a connection or an HTTP/2 stream channel (whose
   * parent holds the {@link SslHandler}).
   *
   * @param channel the connection or stream
   * @return the chain, leaf first, or {@code null} if there is no TLS or no client certificate
   */
  public static X509Certificate[] peerCertificates(Channel channel) {
    SslHandler ssl = sslHandler(channel);
    return ssl == null ? null : peerCertificates(ssl.engine().getSession());
  }

  /**
   * The protocol agreed by ALPN.
   *
   * @param channel the connection or stream
   * @return e.g. {@code h2} or {@code http/1.1}; {@code null} if there is no TLS or no ALPN
   *     agreement (treat as HTTP/1.1)
   */
  public static String applicationProtocol(Channel channel) {
    SslHandler ssl = sslHandler(channel);
    return ssl == null ? null : ssl.applicationProtocol();
  }

  /**
   * The connection's TLS handler, looking at the parent channel for HTTP/2 streams.
   *
   * @param channel the connection or stream
   * @return the handler, or {@code null} if the connection is not TLS
   */
  public static SslHandler sslHandler(Channel channel) {
    for (Channel c = channel; c != null; c = c.parent()) {
      SslHandler ssl = c.pipeline().get(SslHandler.class);
      if (ssl != null) {
        return ssl;
      }
    }
    return null;
  }
}
