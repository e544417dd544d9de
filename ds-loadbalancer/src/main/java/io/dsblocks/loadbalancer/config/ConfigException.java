package io.dsblocks.loadbalancer.config;

import io.dsblocks.loadbalancer.LoadBalancerException;

/**
 * A configuration file that cannot be used: malformed YAML, an unknown or missing key, a value of
 * the wrong type or out of range, a reference to something that does not exist, or a file it names
 * (certificate, key, secret) that cannot be read or does not fit.
 *
 * <p>The message is one line, {@code source:line:column: path: problem}, e.g. {@code
 * proxy.yaml:14:11: routes[1].pool: unknown pool 'webb' (did you mean 'web'?); pools are [api,
 * web]}. {@link #line()} and {@link #column()} are 1-based and point at the offending key or value
 * (0 when the problem has no position, e.g. an unreadable configuration file); {@link #path()}
 * names the item, keys joined by {@code .} and list positions in brackets.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigException extends LoadBalancerException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final int column;
  private final String path;
  private final String problem;

  /**
   * Creates the exception.
   *
   * @param source the file name (or the name given to a parsed string)
   * @param line 1-based line, or 0 if unknown
   * @param column 1-based column, or 0 if unknown
   * @param path the item, e.g. {@code routes[2].pool}; empty for the whole file
   * @param problem what is wrong, naming the bad value and what is allowed
   * @param cause the underlying error, or null
   */
  public ConfigException(
      String source, int line, int column, String path, String problem, Throwable cause) {
    super(format(source, line, column, path, problem), cause);
    this.source = source;
    this.line = line;
    this.column = column;
    this.path = path;
    this.problem = problem;
  }

  private static String format(String source, int line, int column, String path, String problem) {
    StringBuilder sb = new StringBuilder(source);
    if (line > 0) {
      sb.append(':').append(line);
      if (column > 0) {
        sb.append(':').append(column);
      }
    }
    sb.append(": ");
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    // One line, whatever the underlying message looked like (a stack of causes, a YAML snippet).
    return sb.append(problem.replace('\n', ' ').replace('\r', ' ')).toString();
  }

  /**
   * The configuration's source.
   *
   * @return the file name, or the name given with a parsed string
   */
  public String source() {
    return source;
  }

  /**
   * The line of the offending item.
   *
   * @return 1-based line, or 0 if unknown
   */
  public int line() {
    return line;
  }

  /**
   * The column of the offending item.
   *
   * @return 1-based column, or 0 if unknown
   */
  public int column() {
    return column;
  }

  /**
   * The offending item's path.
   *
   * @return keys joined by {@code .}, list positions in brackets, e.g. {@code
   *     pools.api.endpoints[0]}; empty for the whole file
   */
  public String path() {
    return path;
  }

  /**
   * What is wrong, without the position.
   *
   * @return the problem
   */
  public String problem() {
    return problem;
  }
}
