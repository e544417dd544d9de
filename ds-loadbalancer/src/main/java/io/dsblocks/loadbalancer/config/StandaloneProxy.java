package io.dsblocks.loadbalancer.config;

import io.dsblocks.loadbalancer.health.HealthChecker;
import io.dsblocks.loadbalancer.internal.config.AccessLogWriter;
import io.dsblocks.loadbalancer.internal.config.ConfigReader;
import io.dsblocks.loadbalancer.proxy.L4Proxy;
import io.dsblocks.loadbalancer.proxy.L7Proxy;
import io.dsblocks.loadbalancer.proxy.ProxyStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A proxy started from a {@link ProxyConfigFile}: the L7 or L4 proxy, the pools' health checkers
 * and the access log writer, stopped together by {@link #close()} (gracefully, within the file's
 * {@code shutdownTimeout}).
 *
 * <p>Thread-safe.
 */
public final class StandaloneProxy implements AutoCloseable {
  private final L7Proxy http;
  private final L4Proxy tcp;
  private final ConfigReader.Result result;
  private boolean closed;

  private StandaloneProxy(L7Proxy http, L4Proxy tcp, ConfigReader.Result result) {
    this.http = http;
    this.tcp = tcp;
    this.result = result;
  }

  static StandaloneProxy start(ConfigReader.Result result) {
    AccessLogWriter log = result.accessLog();
    try {
      if (log != null) {
        log.open();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open access log '" + log.destination() + "': " + e, e);
    }
    L7Proxy http = null;
    L4Proxy tcp = null;
    try {
      if (result.http() != null) {
        http = L7Proxy.start(result.http());
      } else {
        tcp = L4Proxy.start(result.tcp());
      }
    } catch (RuntimeException e) {
      if (log != null) {
        log.close();
      }
      shutdownScheduler(result);
      throw e;
    }
    for (HealthChecker c : result.healthCheckers().values()) {
      c.start();
    }
    return new StandaloneProxy(http, tcp, result);
  }

  /**
   * The bound address (the actual port when the file says {@code port: 0}).
   *
   * @return the listening address
   */
  public InetSocketAddress localAddress() {
    return http != null ? http.localAddress() : tcp.localAddress();
  }

  /**
   * The I/O transport in use.
   *
   * @return {@code epoll} or {@code nio}
   */
  public String transport() {
    return http != null ? http.transport() : tcp.transport();
  }

  /**
   * Live counters of the proxy.
   *
   * @return a snapshot
   */
  public ProxyStats stats() {
    return http != null ? http.stats() : tcp.stats();
  }

  /**
   * Stops health checks, shuts the proxy down gracefully and flushes the access log. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (HealthChecker c : result.healthCheckers().values()) {
      c.close();
    }
    shutdownScheduler(result);
    if (http != null) {
      http.close();
    } else {
      tcp.close();
    }
    if (result.accessLog() != null) {
      result.accessLog().close();
    }
  }

  private static void shutdownScheduler(ConfigReader.Result result) {
    ScheduledExecutorService s = result.scheduler();
    if (s != null) {
      s.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "StandaloneProxy{" + localAddress() + " (" + transport() + ")}";
  }
}
