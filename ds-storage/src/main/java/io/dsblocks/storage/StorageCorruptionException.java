package io.dsblocks.storage;

/**
 * Stored data failed a checksum or authentication check: it was tampered with, bit-flipped or
 * truncated. Corrupt data is never returned as data; this exception is thrown instead, naming what
 * is affected.
 */
public class StorageCorruptionException extends StorageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed verification and where (pack, offset, object)
   */
  public StorageCorruptionException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what failed verification and where (pack, offset, object)
   * @param cause the underlying error
   */
  public StorageCorruptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
