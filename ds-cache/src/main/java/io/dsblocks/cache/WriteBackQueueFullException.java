package io.dsblocks.cache;

/**
 * A write-back put or delete was refused because the queue of pending writes stayed full (fail
 * fast, or blocking timed out); the cache was left unchanged.
 *
 * <p>Instances are not shared between threads by the library.
 */
public final class WriteBackQueueFullException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message the key, queue capacity and how long the caller waited
   */
  public WriteBackQueueFullException(String message) {
    super(message, null);
  }
}
