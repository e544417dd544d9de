package io.dsblocks.cache;

/**
 * A {@link CacheLoader} (or the store used as loader) failed for a key; nothing was cached.
 *
 * <p>Instances are not shared between threads by the library, except that every caller waiting on
 * the same single-flight load receives an exception with the same cause.
 */
public final class CacheLoadException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the key
   * @param cause the loader's error
   */
  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
