package io.dsblocks.loadbalancer.config;

import io.dsblocks.loadbalancer.Endpoint;
import io.dsblocks.loadbalancer.LoadBalancer;
import io.dsblocks.loadbalancer.health.HealthChecker;
import io.dsblocks.loadbalancer.internal.config.ConfigReader;
import io.dsblocks.loadbalancer.internal.config.Source;
import io.dsblocks.loadbalancer.proxy.L4ProxyConfig;
import io.dsblocks.loadbalancer.proxy.ProxyConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A proxy configuration read from a YAML file: the {@link ProxyConfig} ({@code mode: http}) or
 * {@link L4ProxyConfig} ({@code mode: tcp}) it describes, plus what the file creates beside it (the
 * pools' balancers, their health checkers, the access log), ready to {@link #start()}.
 *
 * <pre>{@code
 * ProxyConfigFile file = ProxyConfigFile.load(Path.of("proxy.yaml")); // ConfigException if invalid
 * try (StandaloneProxy proxy = file.start()) {
 *   System.out.println("listening on " + proxy.localAddress());
 *   ...
 * }
 * }</pre>
 *
 * <p>The file is checked completely while it is read: unknown keys (with a "did you mean" and the
 * allowed keys), wrong types, values out of range, unknown strategies, empty pools, bad ports,
 * routes naming unknown pools, unreadable certificate or key files and keys that do not match their
 * certificate all fail with a {@link ConfigException} naming the line, column and item. The schema
 * is in the module README ("Configuration file"). Relative paths in the file are resolved against
 * the file's directory; secrets come from environment variables or files.
 *
 * <p>Reading starts nothing: no socket, no thread (health checks and the access log start with
 * {@link #start()}). Instances are immutable and thread-safe; {@link Loader}s are not thread-safe.
 */
public final class ProxyConfigFile {
  /** Which proxy a file describes. */
  public enum Mode {
    /** An L7 HTTP proxy ({@link ProxyConfig}). */
    HTTP,
    /** An L4 TCP proxy ({@link L4ProxyConfig}). */
    TCP
  }

  private final String source;
  private final ConfigReader.Result result;

  private ProxyConfigFile(String source, ConfigReader.Result result) {
    this.source = source;
    this.result = result;
  }

  /**
   * Reads a file; relative paths in it are resolved against its directory, secrets named by {@code
   * env:} come from the process environment.
   *
   * @param file the YAML file
   * @return the configuration
   * @throws ConfigException if the file cannot be read or is invalid
   */
  public static ProxyConfigFile load(Path file) {
    return loader().load(file);
  }

  /**
   * Reads configuration text; relative paths are resolved against the working directory.
   *
   * @param yaml the YAML text
   * @param sourceName the name used in error messages, e.g. a file name
   * @return the configuration
   * @throws ConfigException if the text is invalid
   */
  public static ProxyConfigFile parse(String yaml, String sourceName) {
    return loader().parse(yaml, sourceName);
  }

  /**
   * A loader with options (environment, base directory).
   *
   * @return a new loader
   */
  public static Loader loader() {
    return new Loader();
  }

  /**
   * The source the configuration was read from.
   *
   * @return the file name or the name given to {@link #parse}
   */
  public String source() {
    return source;
  }

  /**
   * The kind of proxy.
   *
   * @return {@link Mode#HTTP} or {@link Mode#TCP}
   */
  public Mode mode() {
    return result.http() != null ? Mode.HTTP : Mode.TCP;
  }

  /**
   * The L7 configuration.
   *
   * @return present for {@code mode: http}
   */
  public Optional<ProxyConfig> http() {
    return Optional.ofNullable(result.http());
  }

  /**
   * The L4 configuration.
   *
   * @return present for {@code mode: tcp}
   */
  public Optional<L4ProxyConfig> tcp() {
    return Optional.ofNullable(result.tcp());
  }

  /**
   * The balancers the file's pools created, e.g. to change weights or watch events.
   *
   * @return pool name to balancer, in file order
   */
  public Map<String, LoadBalancer<Endpoint>> loadBalancers() {
    return Map.copyOf(result.balancers());
  }

  /**
   * The active health checkers of pools that declare a {@code healthCheck}, not started. {@link
   * #start()} starts them; call {@link HealthChecker#start()} yourself when you start the proxy
   * from {@link #http()} or {@link #tcp()} directly.
   *
   * @return pool name to checker
   */
  public Map<String, HealthChecker> healthCheckers() {
    return Map.copyOf(result.healthCheckers());
  }

  /**
   * The access log destination.
   *
   * @return {@code stdout}, {@code stderr} or the file path; empty without {@code accessLog}
   */
  public Optional<String> accessLog() {
    return Optional.ofNullable(result.accessLog()).map(a -> a.destination());
  }

  /**
   * Starts the proxy the file describes, then its health checks and access log; the returned handle
   * stops them all. Call it once.
   *
   * @return the running proxy
   * @throws io.dsblocks.loadbalancer.proxy.ProxyException if the proxy cannot bind
   * @throws java.io.UncheckedIOException if the access log file cannot be opened
   */
  public StandaloneProxy start() {
    return StandaloneProxy.start(result);
  }

  @Override
  public String toString() {
    return "ProxyConfigFile{"
        + source
        + " mode="
        + mode()
        + " pools="
        + result.balancers().keySet()
        + '}';
  }

  /** Reads configuration files with options. Not thread-safe. */
  public static final class Loader {
    private Function<String, String> environment = System::getenv;
    private Path baseDirectory;

    private Loader() {}

    /**
     * Where {@code env:} secrets are looked up (default: the process environment).
     *
     * @param environment returns a variable's value, or null if unset
     * @return this loader
     */
    public Loader environment(Function<String, String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment must not be null");
      return this;
    }

    /**
     * Where {@code env:} secrets are looked up: a fixed map (tests, embedding).
     *
     * @param variables variable names to values
     * @return this loader
     */
    public Loader environment(Map<String, String> variables) {
      Map<String, String> copy = Map.copyOf(variables);
      return environment(copy::get);
    }

    /**
     * The directory relative paths are resolved against (default: the file's directory for {@link
     * #load}, the working directory for {@link #parse}).
     *
     * @param directory the directory
     * @return this loader
     */
    public Loader baseDirectory(Path directory) {
      this.baseDirectory = Objects.requireNonNull(directory, "baseDirectory must not be null");
      return this;
    }

    /**
     * Reads a file.
     *
     * @param file the YAML file (UTF-8)
     * @return the configuration
     * @throws ConfigException if the file cannot be read or is invalid
     */
    public ProxyConfigFile load(Path file) {
      Objects.requireNonNull(file, "file must not be null");
      String name = file.toString();
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
      } catch (NoSuchFileException e) {
        throw new ConfigException(
            name, 0, 0, "", "cannot read the configuration file: no such file", e);
      } catch (CharacterCodingException e) {
        throw new ConfigException(name, 0, 0, "", "the configuration file is not valid UTF-8", e);
      } catch (IOException e) {
        throw new ConfigException(name, 0, 0, "", "cannot read the configuration file: " + e, e);
      }
      Path dir = baseDirectory;
      if (dir == null) {
        Path parent = file.toAbsolutePath().getParent();
        dir = parent != null ? parent : Path.of("").toAbsolutePath();
      }
      return read(text, name, dir);
    }

    /**
     * Reads configuration text.
     *
     * @param yaml the YAML text
     * @param sourceName the name used in error messages
     * @return the configuration
     * @throws ConfigException if the text is invalid
     */
    public ProxyConfigFile parse(String yaml, String sourceName) {
      Objects.requireNonNull(yaml, "yaml must not be null");
      Objects.requireNonNull(sourceName, "sourceName must not be null");
      return read(
          yaml, sourceName, baseDirectory != null ? baseDirectory : Path.of("").toAbsolutePath());
    }

    private ProxyConfigFile read(String text, String name, Path dir) {
      return new ProxyConfigFile(name, ConfigReader.read(text, new Source(name, dir, environment)));
    }
  }
}
