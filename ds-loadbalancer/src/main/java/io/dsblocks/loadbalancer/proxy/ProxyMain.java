package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.Strategy;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A minimal command-line launcher for the proxies, used by {@code benchmarks/proxy-bench.sh} and
 * handy for trying the proxy by hand. It is not the configuration-file front end; everything is
 * given as flags:
 *
 * <pre>
 * java -cp ... io.dsblocks.loadbalancer.proxy.ProxyMain \
 *     --mode http|tcp --listen [host:]port --backend host:port [--backend host:port ...] \
 *     [--threads N] [--strategy round-robin|p2c|least-request|random] [--no-native] [--native]
 * </pre>
 *
 * <p>{@code --no-native} forces NIO for the HTTP proxy (epoll is its default when available);
 * {@code --native} turns epoll on for the TCP proxy (NIO is its default, see {@link
 * L4ProxyConfig#nativeTransport()}).
 *
 * <p>It prints one line {@code listening on host:port (transport)} once the socket is bound, then
 * serves until the JVM is asked to stop (SIGINT/SIGTERM), when it shuts down gracefully.
 *
 * <p>Thread-safety: not applicable (a {@code main} entry point).
 */
public final class ProxyMain {
  private ProxyMain() {}

  /**
   * Starts a proxy from command-line flags and blocks until the JVM shuts down.
   *
   * @param args the flags (see the class documentation)
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    String mode = "http";
    String listen = "127.0.0.1:8080";
    List<Endpoint> backends = new ArrayList<>();
    int threads = Runtime.getRuntime().availableProcessors();
    Strategy strategy = Strategies.roundRobin();
    boolean noNative = false;
    boolean forceNative = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--mode":
          mode = value(args, ++i, a);
          break;
        case "--listen":
          listen = value(args, ++i, a);
          break;
        case "--backend":
          backends.add(endpoint(value(args, ++i, a)));
          break;
        case "--threads":
          threads = Integer.parseInt(value(args, ++i, a));
          break;
        case "--strategy":
          strategy = strategy(value(args, ++i, a));
          break;
        case "--no-native":
          noNative = true;
          break;
        case "--native":
          forceNative = true;
          break;
        default:
          usage(System.err);
          throw new IllegalArgumentException("unknown flag '" + a + "'");
      }
    }
    if (backends.isEmpty()) {
      usage(System.err);
      throw new IllegalArgumentException("at least one --backend host:port is required");
    }
    int colon = listen.lastIndexOf(':');
    String host = colon < 0 ? "0.0.0.0" : listen.substring(0, colon);
    int port = Integer.parseInt(colon < 0 ? listen : listen.substring(colon + 1));
    LoadBalancer<Endpoint> lb = LoadBalancers.builder(strategy).name("main").build(backends);

    AutoCloseable proxy;
    String bound;
    if (mode.equals("tcp")) {
      L4Proxy p =
          L4Proxy.start(
              L4ProxyConfig.builder(lb)
                  .bind(host, port)
                  .ioThreads(threads)
                  .nativeTransport(forceNative)
                  .build());
      proxy = p;
      bound = p.localAddress() + " (" + p.transport() + ")";
    } else if (mode.equals("http")) {
      L7Proxy p =
          L7Proxy.start(
              ProxyConfig.builder()
                  .bind(host, port)
                  .ioThreads(threads)
                  .nativeTransport(!noNative)
                  .maxConnections(1_000_000)
                  .pool(BackendPool.of("main", lb))
                  .route(Route.all("all", "main"))
                  .build());
      proxy = p;
      bound = p.localAddress() + " (" + p.transport() + ")";
    } else {
      throw new IllegalArgumentException("--mode must be http or tcp, was '" + mode + "'");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    proxy.close();
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                },
                "proxy-shutdown"));
    System.out.println("listening on " + bound);
    System.out.flush();
    stopped.await();
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static Endpoint endpoint(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--backend must be host:port, was '" + hostPort + "'");
    }
    return Endpoint.of(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static Strategy strategy(String name) {
    switch (name) {
      case "round-robin":
        return Strategies.roundRobin();
      case "p2c":
        return Strategies.powerOfTwoChoices();
      case "least-request":
        return Strategies.leastRequest();
      case "random":
        return Strategies.random();
      default:
        throw new IllegalArgumentException(
            "--strategy must be round-robin, p2c, least-request or random, was '" + name + "'");
    }
  }

  private static void usage(PrintStream out) {
    out.println(
        "usage: ProxyMain --mode http|tcp --listen [host:]port --backend host:port"
            + " [--backend host:port ...] [--threads N]"
            + " [--strategy round-robin|p2c|least-request|random] [--no-native] [--native]");
  }
}
