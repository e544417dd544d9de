package io.dsblocks.storage.fs;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link FileStore#stat} and {@link FileStore#list} report about one path.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the absolute, normalised path
 * @param name the last path segment (empty for the root)
 * @param type file or directory
 * @param size the file's length in bytes; 0 for a directory
 * @param modified when the file's content was last written, or when the directory was created, from
 *     the file store's clock
 */
public record FileInfo(String path, String name, FileType type, long size, Instant modified) {

  /**
   * Validates the fields.
   *
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code size} is negative
   */
  public FileInfo {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(modified, "modified");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0 but was " + size);
    }
  }

  /**
   * Tells whether this is a directory.
   *
   * @return {@code type() == DIRECTORY}
   */
  public boolean isDirectory() {
    return type == FileType.DIRECTORY;
  }
}
