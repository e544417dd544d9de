package io.dsblocks.cache.edge;

/**
 * The origin failed for a request and the cache had nothing it was allowed to serve instead.
 *
 * <p>Thread-safety: immutable after construction.
 */
public class OriginException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The cache key of the failed request. */
  private final String key;

  /**
   * Creates the exception.
   *
   * @param key the cache key of the failed request
   * @param cause the origin failure
   */
  public OriginException(String key, Throwable cause) {
    super("origin fetch failed for key '" + key + "': " + cause, cause);
    this.key = key;
  }

  /**
   * Returns the cache key of the failed request.
   *
   * @return the key
   */
  public String key() {
    return key;
  }
}
