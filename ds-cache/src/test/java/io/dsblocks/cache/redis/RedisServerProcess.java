package io.dsblocks.cache.redis;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} child process on a free loopback port, in a temp directory of its
 * own, for integration tests. It can be killed (SIGKILL) and restarted on the same port to simulate
 * an outage. No automatic persistence ({@code --save "" --appendonly no}): a restart comes back
 * empty, unless the test ran {@code SAVE} before the kill, in which case the restarted server loads
 * that snapshot from its directory (an outage after which Redis still holds old values).
 *
 * <p>If the binary is missing, tests fail when the {@code CI} environment variable is {@code true}
 * (CI must run them) and are skipped otherwise.
 */
final class RedisServerProcess implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

  private final Path binary;
  private final int port;
  private final Path dir;
  private final Path log;
  private Process process;

  private RedisServerProcess(Path binary, int port, Path dir) {
    this.binary = binary;
    this.port = port;
    this.dir = dir;
    this.log = dir.resolve("redis.log");
  }

  /**
   * Starts a server on a free port and waits until it answers PING.
   *
   * @return the running server
   */
  static RedisServerProcess start() throws IOException {
    Path binary = requireBinary();
    Path dir = Files.createTempDirectory("ds-cache-redis-");
    RedisServerProcess server = new RedisServerProcess(binary, freePort(), dir);
    server.launch();
    return server;
  }

  /** Returns the path of redis-server, or fails/skips (see class doc) when it is missing. */
  static Path requireBinary() {
    Optional<Path> found = findBinary();
    if (found.isEmpty()) {
      String message =
          "redis-server not found on PATH or in /usr/bin, /usr/sbin, /usr/local/bin: install the"
              + " Debian package redis-server (apt-get install -y redis-server) to run the ds-cache"
              + " Redis tier and bus integration tests";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + " (CI=true, so these tests must not be skipped)");
      }
      Assumptions.abort(message);
    }
    return found.get();
  }

  private static Optional<Path> findBinary() {
    String pathEnv = System.getenv().getOrDefault("PATH", "");
    List<String> dirs = new ArrayList<>(List.of(pathEnv.split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(d, "redis-server");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  private void launch() {
    ProcessBuilder pb =
        new ProcessBuilder(
                binary.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no")
            .redirectErrorStream(true)
            // To a file, not a pipe: nobody drains a pipe, and a full pipe would block the server.
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary, e);
    }
    try {
      await("redis-server on port " + port + " answering PING")
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(20))
          .pollInSameThread()
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "redis-server exited with "
                          + process.exitValue()
                          + ": "
                          + Files.readString(log, StandardCharsets.UTF_8));
                }
                return ping();
              });
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Returns whether the server answers PING right now (raw RESP, no client library involved). */
  boolean ping() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, buf.length);
      return new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Kills the server abruptly (SIGKILL), as a crash would, and waits until it is gone. */
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("redis-server on port " + port + " did not die");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while killing redis-server", e);
      }
    }
  }

  /** Starts a server on the same port (and directory); the previous one must be dead. */
  void restart() {
    launch();
  }

  /** Kills the server and deletes its directory. */
  @Override
  public void close() throws IOException {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
