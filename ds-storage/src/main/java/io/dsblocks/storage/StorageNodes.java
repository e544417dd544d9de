package io.dsblocks.storage;

import io.dsblocks.storage.internal.replica.DirectoryStorageNode;
import java.nio.file.Path;

/**
 * Factories for {@link StorageNode}s.
 *
 * <p>Thread-safe (stateless).
 */
public final class StorageNodes {
  private StorageNodes() {}

  /**
   * A node that keeps its files in a directory on this machine (another disk, a mounted volume, or
   * just another directory standing in for a server in tests and demos). The directory is created
   * if missing. Writes go to a temporary file that is fsynced and then atomically renamed, and the
   * directory is fsynced after renames and deletes.
   *
   * @param id the node's stable id, not empty
   * @param dir its directory
   * @return the node (thread-safe)
   * @throws IllegalArgumentException if {@code id} is empty
   * @throws StorageException if the directory cannot be created
   */
  public static StorageNode directory(String id, Path dir) {
    return new DirectoryStorageNode(id, dir);
  }
}
