package io.dsblocks.loadbalancer.health;

import io.dsblocks.loadbalancer.Endpoint;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Built-in {@link HealthCheck}s over plain blocking sockets (no extra threads, no Netty): a TCP
 * connect, and an HTTP/1.1 {@code GET} that checks the response status.
 *
 * <p>Thread-safety: stateless; the checks are immutable and thread-safe.
 */
public final class HealthChecks {
  private static final int MAX_STATUS_LINE = 8192;

  private HealthChecks() {}

  /**
   * Healthy if a TCP connection to the endpoint's host and port opens within the timeout.
   *
   * @param connectTimeout 1 ms to 1 min
   * @return the check
   * @throws IllegalArgumentException if the timeout is out of range
   */
  public static HealthCheck tcp(Duration connectTimeout) {
    int timeout = timeoutMillis("connectTimeout", connectTimeout);
    return new HealthCheck() {
      @Override
      public boolean check(Endpoint e) throws IOException {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(e.host(), e.port()), timeout);
          return true;
        }
      }

      @Override
      public String toString() {
        return "tcp(" + connectTimeout + ")";
      }
    };
  }

  /**
   * Healthy if {@code GET path} answers with a 2xx status within the timeout.
   *
   * @param path the request path, starting with {@code /}
   * @param timeout connect and read timeout, 1 ms to 1 min
   * @return the check
   * @throws IllegalArgumentException if the path or timeout is invalid
   */
  public static HealthCheck http(String path, Duration timeout) {
    return http(path, -1, timeout);
  }

  /**
   * Healthy if {@code GET path} answers with exactly {@code expectedStatus} within the timeout. The
   * request is HTTP/1.1 with {@code Host}, {@code Connection: close} and {@code User-Agent:
   * dsblocks-health-check}; only the status line is read.
   *
   * @param path the request path, starting with {@code /}, no spaces or line breaks
   * @param expectedStatus the status, 100 to 599; -1 accepts any 2xx
   * @param timeout connect and read timeout, 1 ms to 1 min
   * @return the check
   * @throws IllegalArgumentException if the path, status or timeout is invalid
   */
  public static HealthCheck http(String path, int expectedStatus, Duration timeout) {
    Objects.requireNonNull(path, "path must not be null");
    if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException(
          "path must start with '/' and contain no spaces or control characters, was '"
              + path
              + "'");
    }
    if (expectedStatus != -1 && (expectedStatus < 100 || expectedStatus > 599)) {
      throw new IllegalArgumentException(
          "expectedStatus must be -1 (any 2xx) or in [100, 599], was " + expectedStatus);
    }
    int timeoutMs = timeoutMillis("timeout", timeout);
    return new HealthCheck() {
      @Override
      public boolean check(Endpoint e) throws IOException {
        int status = get(e, path, timeoutMs);
        return expectedStatus == -1 ? status >= 200 && status < 300 : status == expectedStatus;
      }

      @Override
      public String toString() {
        return "http(GET " + path + " -> " + (expectedStatus == -1 ? "2xx" : expectedStatus) + ")";
      }
    };
  }

  /** Sends the GET and returns the status code of the response's status line. */
  static int get(Endpoint e, String path, int timeoutMs) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(e.host(), e.port()), timeoutMs);
      s.setSoTimeout(timeoutMs);
      String host = e.host().indexOf(':') >= 0 ? "[" + e.host() + "]" : e.host();
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + host
              + ":"
              + e.port()
              + "\r\nUser-Agent: dsblocks-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n";
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String line = readLine(new BufferedInputStream(s.getInputStream(), 512));
      // "HTTP/1.1 200 OK": the status is the three digits after the first space.
      if (!line.startsWith("HTTP/") || line.length() < 12 || line.charAt(8) != ' ') {
        throw new IOException("malformed HTTP status line from " + e.id() + ": '" + line + "'");
      }
      try {
        return Integer.parseInt(line.substring(9, 12));
      } catch (NumberFormatException bad) {
        throw new IOException("malformed HTTP status in '" + line + "' from " + e.id(), bad);
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < MAX_STATUS_LINE; i++) {
      int b = in.read();
      if (b < 0 || b == '\n') {
        break;
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  private static int timeoutMillis(String name, Duration d) {
    Objects.requireNonNull(d, name + " must not be null");
    if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException(name + " must be in [PT0.001S, PT1M], was " + d);
    }
    return (int) d.toMillis();
  }
}
