package io.dsblocks.loadbalancer.internal.config;

import io.dsblocks.loadbalancer.config.ConfigException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What a configuration is read against: its name (for messages), the directory relative paths are
 * resolved against, and the environment secrets are read from. Immutable and thread-safe if the
 * environment function is.
 *
 * @param name the source name used in messages
 * @param baseDirectory relative file paths are resolved against it
 * @param environment looks up environment variables (null when unset)
 */
public record Source(String name, Path baseDirectory, Function<String, String> environment) {

  /**
   * An error without a position.
   *
   * @param problem what is wrong
   * @param cause the cause, or null
   * @return the exception to throw
   */
  public ConfigException error(String problem, Throwable cause) {
    return new ConfigException(name, 0, 0, "", problem, cause);
  }
}
