package io.dsblocks.cache;

/**
 * What a write-back put does when the queue of pending writes is full.
 *
 * <p>Immutable and thread-safe.
 */
public enum OverflowPolicy {
  /**
   * Wait up to {@link WriteBackConfig#offerTimeout()} for room, then throw {@link
   * WriteBackQueueFullException}.
   */
  BLOCK,
  /** Throw {@link WriteBackQueueFullException} at once. */
  FAIL_FAST
}
