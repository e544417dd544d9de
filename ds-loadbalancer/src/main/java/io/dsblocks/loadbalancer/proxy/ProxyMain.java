package io.dsblocks.loadbalancer.proxy;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.LoadBalancers;
import io.dsblocks.loadbalancer.Strategies;
import io.dsblocks.loadbalancer.Strategy;
import io.dsblocks.loadbalancer.config.ConfigException;
import io.dsblocks.loadbalancer.config.ProxyConfigFile;
import io.dsblocks.loadbalancer.config.StandaloneProxy;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The command-line launcher of the proxies: from a YAML configuration file (the standalone jar's
 * entry point), or from flags (used by {@code benchmarks/proxy-bench.sh} and handy for trying the
 * proxy by hand).
 *
 * <pre>
 * java -jar ds-loadbalancer-&lt;version&gt;-standalone.jar --config proxy.yaml [--check]
 *
 * java -cp ... io.dsblocks.loadbalancer.proxy.ProxyMain \
 *     --mode http|tcp --listen [host:]port --backend host:port [--backend host:port ...] \
 *     [--threads N] [--strategy round-robin|p2c|least-request|random] [--no-native] [--native]
 * </pre>
 *
 * <p>{@code --config} reads the file with {@link io.dsblocks.loadbalancer.config.ProxyConfigFile}
 * (schema in the module README); {@code --check} only validates it and exits. {@code --no-native}
 * forces NIO for the HTTP proxy (epoll is its default when available); {@code --native} turns epoll
 * on for the TCP proxy (NIO is its default, see {@link L4ProxyConfig#nativeTransport()}).
 *
 * <p>It prints one line {@code listening on host:port (transport)} once the socket is bound (the
 * actual port when the configuration says port 0), then serves until the JVM is asked to stop
 * (SIGINT/SIGTERM), when it shuts down gracefully.
 *
 * <p>Exit codes: 0 after a clean stop or a passing {@code --check}; 2 for an invalid configuration
 * or bad flags, with a one-line message on stderr ({@code file:line:column: item: problem}, no
 * stack trace); 1 when the proxy cannot start (e.g. the port is in use).
 *
 * <p>Thread-safety: not applicable (a command-line entry point); {@link #run} may be called from
 * several threads, each running its own proxy.
 */
public final class ProxyMain {
  /** Exit code of a clean stop or a passing {@code --check}. */
  public static final int EXIT_OK = 0;

  /** Exit code when the proxy cannot start (e.g. its port is in use). */
  public static final int EXIT_START_FAILED = 1;

  /** Exit code of an invalid configuration or bad flags. */
  public static final int EXIT_INVALID = 2;

  private ProxyMain() {}

  /**
   * Runs {@link #run} with the process's streams and exits with its code.
   *
   * @param args the flags (see the class documentation)
   */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.exit(code);
  }

  /**
   * Validates or starts a proxy and, when started, serves until the JVM shuts down or the calling
   * thread is interrupted (then it stops the proxy gracefully and returns {@link #EXIT_OK}). Never
   * calls {@code System.exit}, so it can be run in-process.
   *
   * @param args the flags (see the class documentation)
   * @param out receives the {@code listening on ...} line and {@code --check} results
   * @param err receives one-line error messages and the usage
   * @return the exit code: {@link #EXIT_OK}, {@link #EXIT_INVALID} or {@link #EXIT_START_FAILED}
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Flags flags;
    try {
      flags = Flags.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      usage(err);
      return EXIT_INVALID;
    }
    AutoCloseable proxy;
    String bound;
    try {
      if (flags.config != null) {
        ProxyConfigFile file;
        try {
          file = ProxyConfigFile.load(Path.of(flags.config));
        } catch (ConfigException e) {
          err.println(e.getMessage());
          return EXIT_INVALID;
        }
        if (flags.check) {
          out.println(
              file.source()
                  + ": OK (mode "
                  + file.mode().name().toLowerCase(Locale.ROOT)
                  + ", pools "
                  + file.loadBalancers().keySet()
                  + file.http().map(c -> ", " + c.routes().size() + " routes").orElse("")
                  + ")");
          out.flush();
          return EXIT_OK;
        }
        StandaloneProxy p = file.start();
        proxy = p;
        bound = address(p.localAddress()) + " (" + p.transport() + ")";
      } else {
        Started s = startFromFlags(flags);
        proxy = s.proxy;
        bound = s.bound;
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return EXIT_INVALID;
    } catch (RuntimeException e) {
      err.println("error: cannot start the proxy: " + e.getMessage());
      return EXIT_START_FAILED;
    }
    return serve(proxy, bound, out, err);
  }

  private static int serve(AutoCloseable proxy, String bound, PrintStream out, PrintStream err) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              closeQuietly(proxy, err);
              stopped.countDown();
            },
            "proxy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("listening on " + bound);
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // Stopped in-process (embedding, tests): do what the shutdown hook would have done.
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already stopping; the hook closes the proxy.
      }
      closeQuietly(proxy, err);
      Thread.currentThread().interrupt();
    }
    return EXIT_OK;
  }

  private static void closeQuietly(AutoCloseable proxy, PrintStream err) {
    try {
      proxy.close();
    } catch (Exception e) {
      err.println("error while stopping: " + e);
    }
  }

  private static String address(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** The parsed command line. */
  private static final class Flags {
    String config;
    boolean check;
    String mode;
    String listen;
    final List<Endpoint> backends = new ArrayList<>();
    Integer threads;
    Strategy strategy;
    boolean noNative;
    boolean forceNative;

    static Flags parse(String[] args) {
      Flags f = new Flags();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--config":
            f.config = value(args, ++i, a);
            break;
          case "--check":
            f.check = true;
            break;
          case "--mode":
            f.mode = value(args, ++i, a);
            break;
          case "--listen":
            f.listen = value(args, ++i, a);
            break;
          case "--backend":
            f.backends.add(endpoint(value(args, ++i, a)));
            break;
          case "--threads":
            String t = value(args, ++i, a);
            try {
              f.threads = Integer.parseInt(t);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--threads must be an integer, was '" + t + "'");
            }
            break;
          case "--strategy":
            f.strategy = strategy(value(args, ++i, a));
            break;
          case "--no-native":
            f.noNative = true;
            break;
          case "--native":
            f.forceNative = true;
            break;
          default:
            throw new IllegalArgumentException("unknown flag '" + a + "'");
        }
      }
      if (f.config != null) {
        if (f.mode != null
            || f.listen != null
            || !f.backends.isEmpty()
            || f.threads != null
            || f.strategy != null
            || f.noNative
            || f.forceNative) {
          throw new IllegalArgumentException(
              "--config cannot be combined with --mode, --listen, --backend, --threads,"
                  + " --strategy, --native or --no-native: set them in the file");
        }
      } else {
        if (f.check) {
          throw new IllegalArgumentException("--check needs --config <file>");
        }
        if (f.backends.isEmpty()) {
          throw new IllegalArgumentException(
              "at least one --backend host:port is required (or --config <file>)");
        }
      }
      return f;
    }
  }

  private record Started(AutoCloseable proxy, String bound) {}

  private static Started startFromFlags(Flags f) {
    String mode = f.mode != null ? f.mode : "http";
    String listen = f.listen != null ? f.listen : "127.0.0.1:8080";
    int threads = f.threads != null ? f.threads : Runtime.getRuntime().availableProcessors();
    Strategy strategy = f.strategy != null ? f.strategy : Strategies.roundRobin();
    int colon = listen.lastIndexOf(':');
    String host = colon < 0 ? "0.0.0.0" : listen.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(colon < 0 ? listen : listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--listen must be [host:]port, was '" + listen + "'");
    }
    LoadBalancer<Endpoint> lb = LoadBalancers.builder(strategy).name("main").build(f.backends);
    if (mode.equals("tcp")) {
      L4Proxy p =
          L4Proxy.start(
              L4ProxyConfig.builder(lb)
                  .bind(host, port)
                  .ioThreads(threads)
                  .nativeTransport(f.forceNative)
                  .build());
      return new Started(p, p.localAddress() + " (" + p.transport() + ")");
    } else if (mode.equals("http")) {
      L7Proxy p =
          L7Proxy.start(
              ProxyConfig.builder()
                  .bind(host, port)
                  .ioThreads(threads)
                  .nativeTransport(!f.noNative)
                  .maxConnections(1_000_000)
                  .pool(BackendPool.of("main", lb))
                  .route(Route.all("all", "main"))
                  .build());
      return new Started(p, p.localAddress() + " (" + p.transport() + ")");
    }
    throw new IllegalArgumentException("--mode must be http or tcp, was '" + mode + "'");
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
    try {
      return Endpoint.of(
          hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--backend must be host:port, was '" + hostPort + "'");
    }
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
        "usage: ProxyMain --config proxy.yaml [--check]\n"
            + "       ProxyMain --mode http|tcp --listen [host:]port --backend host:port"
            + " [--backend host:port ...] [--threads N]"
            + " [--strategy round-robin|p2c|least-request|random] [--no-native] [--native]");
  }
}
