package io.dsblocks.cache;

import java.util.Objects;

/**
 * One cross-node invalidation: "source's cache changed {@code key}" (or every key). Each source
 * numbers its messages 1, 2, 3, ... so a receiver can tell a lost message (a gap) from a duplicate.
 *
 * <p>Immutable and thread-safe.
 *
 * @param source id of the publishing node, not empty
 * @param sequence position in the source's stream, starting at 1
 * @param key the changed key, or null for "every key"
 * @param <K> key type
 */
public record InvalidationMessage<K>(String source, long sequence, K key) {

  /**
   * Checks the fields.
   *
   * @param source id of the publishing node, not empty
   * @param sequence position in the source's stream, starting at 1
   * @param key the changed key, or null for "every key"
   */
  public InvalidationMessage {
    Objects.requireNonNull(source, "source");
    if (source.isEmpty()) {
      throw new IllegalArgumentException("source must not be empty");
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be at least 1 but was " + sequence);
    }
  }
}
