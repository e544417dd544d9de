package io.dsblocks.cache;

/**
 * The write-back journal could not be opened, read or appended to. A put that gets this exception
 * was not acknowledged: the cache was left unchanged.
 *
 * <p>Instances are not shared between threads by the library.
 */
public final class JournalException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the journal file
   * @param cause the I/O error, or null
   */
  public JournalException(String message, Throwable cause) {
    super(message, cause);
  }
}
