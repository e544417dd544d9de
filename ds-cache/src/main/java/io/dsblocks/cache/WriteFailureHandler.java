package io.dsblocks.cache;

/**
 * Called by the write-back writer thread when a write could not be stored after the configured
 * number of attempts. The write is then dropped from the queue (and marked done in the journal):
 * the handler is the last place that sees it, so log it, park it in a dead-letter store, or alert.
 *
 * <p>Implementations must be thread-safe; an exception thrown here is caught and ignored.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface WriteFailureHandler<K, V> {

  /**
   * Handles a write that was given up on.
   *
   * @param key the key
   * @param value the value, or {@code null} if the write was a delete
   * @param error the last error
   * @param attempts how many times the store was tried
   */
  void onFailure(K key, V value, Throwable error, int attempts);
}
