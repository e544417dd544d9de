package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking TCP echo server on 127.0.0.1 for the L4 tests: echoes every byte, and when the client
 * half-closes (EOF) it half-closes its own output, so a client that shut down its output still
 * reads the whole echo and then EOF. One thread per connection; bounded by the tests' few
 * connections.
 *
 * <p>Thread-safe.
 */
final class EchoServer implements AutoCloseable {
  final String name;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;

  EchoServer(String name) throws IOException {
    this.name = name;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "echo-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  Endpoint endpoint() {
    return Endpoint.builder().id(name).host("127.0.0.1").port(server.getLocalPort()).build();
  }

  int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        accepted.incrementAndGet();
        open.add(s);
        Thread t = new Thread(() -> echo(s), "echo-" + name + "-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void echo(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) != -1; ) {
        out.write(buf, 0, n);
      }
      out.flush();
      s.shutdownOutput(); // answer the half-close with ours
      in.read(); // wait for the proxy to close
    } catch (IOException e) {
      // connection reset: nothing to do
    } finally {
      open.remove(s);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
