package io.dsblocks.storage;

/**
 * Base class of every error ds-storage throws: unchecked, carrying the repository path, pack or
 * object a user needs to act on.
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong and where
   */
  public StorageException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what went wrong and where
   * @param cause the underlying error
   */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
