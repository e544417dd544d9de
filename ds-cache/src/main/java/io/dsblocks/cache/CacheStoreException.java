package io.dsblocks.cache;

/**
 * A write-through {@link CacheStore} write or delete failed; the cache was left unchanged.
 *
 * <p>Instances are not shared between threads by the library.
 */
public final class CacheStoreException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the key and operation
   * @param cause the store's error
   */
  public CacheStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
