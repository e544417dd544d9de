package io.dsblocks.loadbalancer.tls;

import io.dsblocks.loadbalancer.internal.tls.ServerContexts;
import io.dsblocks.loadbalancer.internal.tls.TlsMaterial;
import io.dsblocks.loadbalancer.internal.tls.TlsMaterial.Entry;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.Mapping;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Terminates TLS for a {@link TlsConfig}: hands out per-connection Netty handlers that pick a
 * certificate by SNI, and swaps certificates at runtime without dropping connections.
 *
 * <pre>{@code
 * TlsContextProvider tls = TlsContextProvider.create(config);
 * tls.startPolling(scheduler, Duration.ofMinutes(1));       // optional hot reload
 * // in the server's ChannelInitializer, first in the pipeline:
 * ch.pipeline().addLast(tls.newHandler());
 * // after SslHandshakeCompletionEvent.SUCCESS:
 * String alpn = TlsSessions.applicationProtocol(ch);          // "h2", "http/1.1" or null
 * X509Certificate[] client = TlsSessions.peerCertificates(ch); // mTLS chain or null
 * }</pre>
 *
 * <p><b>SNI</b>: {@link #newHandler()} returns a Netty {@link SniHandler} that reads the
 * ClientHello, looks the server name up (exact names before {@code *.} wildcards, the default
 * certificate for no or an unknown name) and replaces itself with an {@code SslHandler}.
 *
 * <p><b>Hot reload</b>: {@link #reload()} re-reads every file; if their content changed and
 * validates, a new generation of SSL contexts replaces the old one atomically. New handshakes use
 * it; established connections keep the certificate they negotiated. If the new files are bad
 * (unreadable, half-written, mismatched, expired), the old certificates stay in service and the
 * error is reported. {@link #startPolling} runs the same check on a scheduler the caller owns.
 *
 * <p><b>Provider</b>: OpenSSL (netty-tcnative) or the JDK, chosen at creation and reported by
 * {@link #info()} and in a log line (System.Logger {@code io.dsblocks.loadbalancer.tls}).
 *
 * <p>Thread-safe. The handshake path reads one volatile field and takes no lock; reloads are
 * serialized by a lock.
 */
public final class TlsContextProvider implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.dsblocks.loadbalancer.tls");
  private static final TlsListener NO_LISTENER = new TlsListener() {};

  private final TlsConfig config;
  private final TlsListener listener;
  private final SslProvider sslProvider;
  private final Mapping<String, SslContext> mapping = this::select;
  private final LongAdder handshakes = new LongAdder();
  private final LongAdder defaultSelections = new LongAdder();
  private final Object lock = new Object();

  private volatile ServerContexts current;

  // Guarded by lock.
  private long reloads;
  private long failedReloads;
  private String lastError;
  private byte[] lastFailedFingerprint;
  private byte[] pendingFingerprint;
  private ScheduledFuture<?> polling;
  private volatile boolean closed; // written under lock, read without it by newHandler()

  private TlsContextProvider(TlsConfig config, TlsListener listener) {
    this.config = config;
    this.listener = listener;
    this.sslProvider = resolve(config.provider());
    this.current = load();
  }

  /**
   * Loads the config's certificates and builds the SSL contexts.
   *
   * @param config the settings
   * @return the provider
   * @throws IllegalArgumentException if a file is bad (it may have changed since {@code build()})
   *     or the provider rejects the settings
   */
  public static TlsContextProvider create(TlsConfig config) {
    return create(config, NO_LISTENER);
  }

  /**
   * Like {@link #create(TlsConfig)}, reporting reloads to a listener.
   *
   * @param config the settings
   * @param listener receives reload events
   * @return the provider
   */
  public static TlsContextProvider create(TlsConfig config, TlsListener listener) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listener, "listener");
    TlsContextProvider p = new TlsContextProvider(config, listener);
    TlsInfo info = p.info();
    LOG.log(
        Level.INFO,
        "TLS termination: provider {0} ({1}), protocols {2}, ALPN {3}, client auth {4},"
            + " {5} certificate(s), earliest expiry {6}",
        info.provider(),
        info.providerVersion(),
        info.protocols(),
        info.applicationProtocols(),
        info.clientAuth(),
        info.certificates().size(),
        info.earliestExpiry());
    return p;
  }

  private static SslProvider resolve(TlsProvider preference) {
    switch (preference) {
      case JDK:
        return SslProvider.JDK;
      case OPENSSL:
        OpenSsl.ensureAvailability();
        return SslProvider.OPENSSL;
      default:
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }
  }

  private ServerContexts load() {
    TlsMaterial.Raw raw = TlsMaterial.read(config);
    return build(raw);
  }

  private ServerContexts build(TlsMaterial.Raw raw) {
    TlsMaterial.Parsed parsed = TlsMaterial.parse(config, raw, config.clock().instant());
    return ServerContexts.build(config, parsed, sslProvider);
  }

  private SslContext select(String serverName) {
    handshakes.increment();
    ServerContexts contexts = current;
    SslContext ctx = contexts.select(serverName);
    if (ctx == contexts.defaultContext()) {
      defaultSelections.increment();
    }
    return ctx;
  }

  /**
   * A new handler for one accepted connection; put it first in the pipeline. It waits for the
   * ClientHello, picks the certificate and replaces itself with an {@code SslHandler} (named {@code
   * io.netty.handler.ssl.SslHandler}), closing the connection if the handshake (ClientHello
   * included) does not finish within {@link TlsConfig#handshakeTimeout()}.
   *
   * @return a new, unshared handler
   * @throws IllegalStateException after {@link #close()}
   */
  public ChannelHandler newHandler() {
    if (closed) {
      throw new IllegalStateException("TlsContextProvider is closed");
    }
    return new SniHandler(mapping, config.handshakeTimeout().toMillis());
  }

  /**
   * The SSL context currently served for a server name (the default for {@code null} or unknown
   * names), for callers that build their own {@code SslHandler}.
   *
   * @param serverName the SNI name or {@code null}
   * @return the context of the current generation
   */
  public SslContext contextFor(String serverName) {
    return current.select(serverName);
  }

  /**
   * Re-reads every certificate, key and CA file. If their content is unchanged nothing happens. If
   * it changed and validates, new handshakes use the new certificates from now on. Otherwise the
   * previous certificates stay in service, the listener is told, and this method throws.
   *
   * @return {@code true} if new certificates were swapped in, {@code false} if nothing changed
   * @throws TlsReloadException if the changed files are invalid (the old ones stay in service)
   * @throws IllegalStateException after {@link #close()}
   */
  public boolean reload() {
    return reload(false);
  }

  private boolean reload(boolean polled) {
    TlsInfo reloadedInfo;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("TlsContextProvider is closed");
      }
      TlsMaterial.Raw raw = null;
      IllegalArgumentException readError = null;
      byte[] id;
      try {
        raw = TlsMaterial.read(config);
        id = raw.fingerprint();
      } catch (IllegalArgumentException e) {
        // The same unreadable file gives the same message: use it as the failure's identity.
        readError = e;
        id = e.getMessage().getBytes(StandardCharsets.UTF_8);
      }
      if (raw != null && Arrays.equals(id, current.material().fingerprint())) {
        pendingFingerprint = null;
        lastFailedFingerprint = null;
        return false;
      }
      if (polled) {
        if (Arrays.equals(id, lastFailedFingerprint)) {
          return false; // already reported; a poll every few seconds must not flood the logs
        }
        if (!Arrays.equals(id, pendingFingerprint)) {
          // Changed since the last look: a deployment tool may be between writing the certificate
          // and the key. Wait until the files stay the same for one interval, so a half-done
          // update is not reported as a broken one.
          pendingFingerprint = id;
          return false;
        }
      }
      pendingFingerprint = null;
      if (readError != null) {
        return failed(id, readError);
      }
      try {
        current = build(raw);
      } catch (IllegalArgumentException e) {
        return failed(id, e);
      }
      reloads++;
      lastFailedFingerprint = null;
      reloadedInfo = infoLocked();
    }
    LOG.log(
        Level.INFO,
        "TLS certificates reloaded; earliest expiry {0}",
        reloadedInfo.earliestExpiry());
    try {
      listener.onReloaded(reloadedInfo);
    } catch (RuntimeException ignored) {
      // A listener's bug must not undo or fail a reload that already happened.
    }
    return true;
  }

  // Called with lock held; always throws.
  private boolean failed(byte[] failureId, IllegalArgumentException cause) {
    failedReloads++;
    lastError = cause.getMessage();
    lastFailedFingerprint = failureId;
    TlsReloadException error =
        new TlsReloadException(
            "certificate reload failed, previous certificates stay in service: "
                + cause.getMessage(),
            cause);
    LOG.log(Level.WARNING, error.getMessage());
    notifyFailed(error);
    throw error;
  }

  private void notifyFailed(TlsReloadException error) {
    try {
      listener.onReloadFailed(error);
    } catch (RuntimeException ignored) {
      // Listeners observe; they cannot change the outcome.
    }
  }

  /**
   * Checks the files for changes every {@code interval} on the caller's scheduler (which this
   * provider never shuts down). Changed files are loaded once they have stayed the same for one
   * interval, so a deployment that writes the certificate and the key one after the other is not
   * caught half-way; then it proceeds as {@link #reload()} does. Failures go to the listener and
   * the log, each distinct bad content once. Stopped by {@link #close()}.
   *
   * @param scheduler runs the checks
   * @param interval between checks, at least 10 ms
   * @return this provider
   * @throws IllegalStateException if polling already runs or the provider is closed
   */
  public TlsContextProvider startPolling(ScheduledExecutorService scheduler, Duration interval) {
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException(
          "polling interval is " + interval + "; allowed: at least 10 ms");
    }
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("TlsContextProvider is closed");
      }
      if (polling != null) {
        throw new IllegalStateException("polling already started");
      }
      long nanos = interval.toNanos();
      polling = scheduler.scheduleWithFixedDelay(this::poll, nanos, nanos, TimeUnit.NANOSECONDS);
    }
    return this;
  }

  // Package-private so tests can run one poll deterministically, without a scheduler.
  void poll() {
    try {
      reload(true);
    } catch (TlsReloadException | IllegalStateException e) {
      // Reported already (or closed meanwhile); an exception here would cancel future polls.
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "certificate poll failed unexpectedly", e);
    }
  }

  /**
   * The implementation in use, effective settings, certificates in service and counters.
   *
   * @return a snapshot
   */
  public TlsInfo info() {
    synchronized (lock) {
      return infoLocked();
    }
  }

  private TlsInfo infoLocked() {
    ServerContexts ctx = current;
    List<TlsInfo.CertificateInfo> certs = new ArrayList<>();
    for (Entry e : ctx.entries()) {
      X509Certificate leaf = e.chain().get(0);
      Instant notAfter = leaf.getNotAfter().toInstant();
      for (X509Certificate c : e.chain()) {
        if (c.getNotAfter().toInstant().isBefore(notAfter)) {
          notAfter = c.getNotAfter().toInstant();
        }
      }
      certs.add(
          new TlsInfo.CertificateInfo(
              e.serverName(),
              leaf.getSubjectX500Principal().getName(),
              leaf.getIssuerX500Principal().getName(),
              leaf.getSerialNumber().toString(16),
              leaf.getNotBefore().toInstant(),
              notAfter,
              e.key().getAlgorithm(),
              e.chainFile().toString()));
    }
    boolean openssl = sslProvider != SslProvider.JDK;
    return new TlsInfo(
        openssl ? TlsProvider.OPENSSL : TlsProvider.JDK,
        openssl ? OpenSsl.versionString() : "JDK " + Runtime.version(),
        config.protocols(),
        ctx.defaultContext().cipherSuites(),
        config.applicationProtocols(),
        config.clientAuth(),
        certs,
        reloads,
        failedReloads,
        Optional.ofNullable(lastError),
        handshakes.sum(),
        defaultSelections.sum());
  }

  /**
   * The settings this provider was created from.
   *
   * @return the config
   */
  public TlsConfig config() {
    return config;
  }

  /**
   * Stops polling. Established connections and handlers already handed out keep working; {@link
   * #newHandler()} and {@link #reload()} fail afterwards. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (polling != null) {
        polling.cancel(false);
      }
    }
  }
}
