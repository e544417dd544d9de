package io.dsblocks.storage;

/**
 * The repository is already open: another process (or another {@link ObjectStore} in this JVM)
 * holds its lock file. One repository directory is written by one store at a time, because the pack
 * writer and the dedup index assume a single writer. Close the other store, or wait for the other
 * process to exit, and open again.
 *
 * <p>Immutable and thread-safe.
 */
public class RepositoryLockedException extends StorageException {
  private static final long serialVersionUID = 1L;

  /** Kept as a string so the exception stays serializable. */
  private final String lockFile;

  /**
   * Creates an exception.
   *
   * @param lockFile the lock file that could not be locked
   * @param message what holds it, naming the path
   */
  public RepositoryLockedException(String lockFile, String message) {
    super(message);
    this.lockFile = lockFile;
  }

  /**
   * Returns the path of the lock file that is held by someone else.
   *
   * @return the lock file path
   */
  public String lockFile() {
    return lockFile;
  }
}
