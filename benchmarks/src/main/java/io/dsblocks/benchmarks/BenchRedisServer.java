package io.dsblocks.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} for the Redis benchmarks: started on a free loopback port with
 * persistence off, killed by {@link #close()}. The binary comes from {@code PATH} or {@code
 * -Ddsblocks.redis.server=/path}. Not thread-safe; one per benchmark trial.
 */
public final class BenchRedisServer implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final String uri;

  private BenchRedisServer(Process process, Path dir, String uri) {
    this.process = process;
    this.dir = dir;
    this.uri = uri;
  }

  /**
   * Starts a server and waits until it answers {@code PING}.
   *
   * @return the running server
   * @throws IOException if it cannot be started
   * @throws InterruptedException if interrupted while waiting for it
   */
  public static BenchRedisServer start() throws IOException, InterruptedException {
    String binary = System.getProperty("dsblocks.redis.server", findOnPath("redis-server"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("bench-redis-");
    Path log = dir.resolve("redis.log");
    Process server =
        new ProcessBuilder(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!ping(port)) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        server.destroyForcibly();
        throw new IllegalStateException(
            "redis-server did not start: " + Files.readString(log, StandardCharsets.UTF_8));
      }
      Thread.sleep(10); // a poll interval, not a wait for a fixed time
    }
    return new BenchRedisServer(server, dir, "redis://127.0.0.1:" + port);
  }

  /**
   * Returns the server's URI.
   *
   * @return {@code redis://127.0.0.1:<port>}
   */
  public String uri() {
    return uri;
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(dir.resolve("redis.log"));
    Files.deleteIfExists(dir);
  }

  private static boolean ping(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] reply = s.getInputStream().readNBytes(5);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static String findOnPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    for (String d : new String[] {"/usr/bin", "/usr/sbin", "/usr/local/bin"}) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(
        name
            + " not found: install it (apt-get install redis-server) or pass -Ddsblocks.redis.uri");
  }
}
