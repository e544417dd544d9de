package io.dsblocks.storage.fs;

import io.dsblocks.storage.StorageException;

/**
 * A file store operation failed because of the state of the tree: a path is missing, already
 * exists, has the wrong type, or a directory is not empty. Unchecked. Bad path syntax is an {@link
 * IllegalArgumentException} instead.
 */
public class FileStoreException extends StorageException {
  private static final long serialVersionUID = 1L;

  /** Why the operation failed. */
  public enum Reason {
    /** The path (or one of its parents) does not exist. */
    NOT_FOUND,
    /** The target path already exists. */
    ALREADY_EXISTS,
    /** A directory was expected but the path is a file. */
    NOT_A_DIRECTORY,
    /** A file was expected but the path is a directory. */
    IS_A_DIRECTORY,
    /** The directory has entries and the operation was not recursive. */
    DIRECTORY_NOT_EMPTY,
    /** The operation would move a directory into itself, or change the root. */
    INVALID_MOVE
  }

  private final Reason reason;
  private final String path;

  /**
   * Creates an exception.
   *
   * @param reason why
   * @param path the path concerned
   * @param detail extra explanation, may be empty
   */
  public FileStoreException(Reason reason, String path, String detail) {
    super(message(reason, path, detail));
    this.reason = reason;
    this.path = path;
  }

  private static String message(Reason reason, String path, String detail) {
    String base =
        switch (reason) {
          case NOT_FOUND -> "no such file or directory";
          case ALREADY_EXISTS -> "already exists";
          case NOT_A_DIRECTORY -> "not a directory";
          case IS_A_DIRECTORY -> "is a directory";
          case DIRECTORY_NOT_EMPTY -> "directory not empty";
          case INVALID_MOVE -> "invalid move";
        };
    return "'" + path + "': " + base + (detail.isEmpty() ? "" : " (" + detail + ")");
  }

  /**
   * Returns why the operation failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns the path concerned.
   *
   * @return the path
   */
  public String path() {
    return path;
  }
}
