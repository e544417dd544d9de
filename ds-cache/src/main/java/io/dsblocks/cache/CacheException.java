package io.dsblocks.cache;

/**
 * Base of the unchecked exceptions thrown by ds-cache.
 *
 * <p>Instances are not shared between threads by the library.
 */
public class CacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what happened, with the context needed to act on it
   * @param cause the underlying error, or null
   */
  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
