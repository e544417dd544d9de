package io.dsblocks.loadbalancer.internal.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the files a configuration names, resolved against its directory, with errors at the node
 * that named them. Stateless and thread-safe.
 */
final class ConfigFiles {
  private ConfigFiles() {}

  /**
   * Resolves a path and checks that it is a readable regular file.
   *
   * @param n the node holding the path
   * @param what what the file is, for messages (e.g. {@code certificate})
   * @return the resolved path
   */
  static Path readable(ConfigNode n, String what) {
    Path p = n.source().baseDirectory().resolve(n.string()).normalize();
    if (!Files.exists(p)) {
      throw n.error("cannot read " + what + " file '" + p + "': no such file");
    }
    if (!Files.isRegularFile(p)) {
      throw n.error("cannot read " + what + " file '" + p + "': not a regular file");
    }
    if (!Files.isReadable(p)) {
      throw n.error("cannot read " + what + " file '" + p + "': permission denied");
    }
    return p;
  }

  /**
   * Reads a file's bytes.
   *
   * @param n the node holding the path
   * @param what what the file is
   * @return the content
   */
  static byte[] read(ConfigNode n, String what) {
    Path p = readable(n, what);
    try {
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw n.error("cannot read " + what + " file '" + p + "': no such file", e);
    } catch (IOException e) {
      throw n.error("cannot read " + what + " file '" + p + "': " + e, e);
    }
  }
}
