package io.dsblocks.ratelimit.bulkhead;

/**
 * Receives a {@link Bulkhead}'s events; every method has an empty default. Callbacks run
 * synchronously on the calling thread, must be fast, must be thread-safe, and exceptions they throw
 * are ignored. With no listener registered the bulkhead skips dispatch entirely.
 */
public interface BulkheadListener {

  /**
   * Called when a call was admitted.
   *
   * @param bulkheadName the bulkhead
   */
  default void onCallPermitted(String bulkheadName) {}

  /**
   * Called when a call was refused.
   *
   * @param bulkheadName the bulkhead
   */
  default void onCallRejected(String bulkheadName) {}

  /**
   * Called when an admitted call finished and released its slot.
   *
   * @param bulkheadName the bulkhead
   */
  default void onCallFinished(String bulkheadName) {}
}
