package io.dsblocks.cache;

/**
 * A {@link CacheTier} could not complete an operation (its backend is down, timed out, or is full).
 * The cache catches it, counts it and carries on without the tier; it reaches callers only when
 * they use a tier directly.
 */
public class CacheTierException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the tier and the key
   * @param cause the underlying error, or null
   */
  public CacheTierException(String message, Throwable cause) {
    super(message, cause);
  }
}
