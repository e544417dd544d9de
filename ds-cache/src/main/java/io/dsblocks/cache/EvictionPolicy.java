package io.dsblocks.cache;

/**
 * Which entry a size-bounded cache evicts when it is full.
 *
 * <p>Immutable and thread-safe.
 */
public enum EvictionPolicy {
  /**
   * Caffeine's W-TinyLFU: a small LRU admission window in front of a segmented LRU main space, with
   * a frequency sketch deciding admission. The best hit rate on most workloads and lock-free reads;
   * the victim is not predictable entry by entry. Supports every option. The default.
   */
  WINDOW_TINY_LFU,
  /**
   * Least recently used, exactly: the entry whose last read or write is oldest is evicted. O(1) per
   * operation under one lock (reads reorder the list, so they take it too). Size bound only.
   */
  LRU,
  /**
   * Least frequently used, exactly: the entry with the fewest reads and writes since it was
   * inserted is evicted; ties go to the least recently used of them. O(1) per operation under one
   * lock. Size bound only.
   */
  LFU
}
