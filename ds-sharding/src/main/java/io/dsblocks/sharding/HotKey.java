package io.dsblocks.sharding;

/**
 * A frequently requested key reported by {@link HotKeyTracker}.
 *
 * <p>Immutable and thread-safe (if {@code K} is).
 *
 * @param key the key
 * @param count estimated occurrences in the window; an upper bound of the true count
 * @param error maximum overestimation; the true count is at least {@code count - error}
 * @param <K> key type
 */
public record HotKey<K>(K key, long count, long error) {
  /**
   * The guaranteed minimum of the true count.
   *
   * @return {@code count - error}
   */
  public long guaranteedCount() {
    return count - error;
  }
}
