package io.dsblocks.sharding.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * The Space-Saving heavy-hitters summary (Metwally, Agrawal, El Abbadi, 2005) with an indexed
 * min-heap, so each update is O(log capacity). Keeps at most {@code capacity} counters; a new key
 * evicts the smallest counter and inherits its count as error, so every reported count is an upper
 * bound and count - error a lower bound, and any key with true frequency above total / capacity is
 * guaranteed to be present. Not thread-safe.
 *
 * @param <K> key type
 */
public final class SpaceSaving<K> {
  private final int capacity;
  private final Map<K, Integer> slotOf;
  private final Object[] keys;
  private final long[] counts;
  private final long[] errors;
  private final int[] heap; // heap of slots ordered by counts
  private final int[] heapPos; // slot -> heap index
  private int size;

  /**
   * Creates an empty summary.
   *
   * @param capacity number of counters, at least 1
   */
  public SpaceSaving(int capacity) {
    this.capacity = capacity;
    this.slotOf = new HashMap<>(capacity * 2);
    this.keys = new Object[capacity];
    this.counts = new long[capacity];
    this.errors = new long[capacity];
    this.heap = new int[capacity];
    this.heapPos = new int[capacity];
  }

  /**
   * Counts {@code weight} occurrences of a key.
   *
   * @param key the key
   * @param weight occurrences, at least 1
   */
  public void add(K key, long weight) {
    Integer slot = slotOf.get(key);
    if (slot != null) {
      counts[slot] += weight;
      siftDown(heapPos[slot]);
      return;
    }
    int s;
    if (size < capacity) {
      s = size;
      heap[size] = s;
      heapPos[s] = size;
      size++;
      keys[s] = key;
      counts[s] = weight;
      errors[s] = 0;
      slotOf.put(key, s);
      siftUp(heapPos[s]);
      return;
    }
    s = heap[0];
    slotOf.remove(keys[s]);
    long min = counts[s];
    keys[s] = key;
    errors[s] = min;
    counts[s] = min + weight;
    slotOf.put(key, s);
    siftDown(0);
  }

  /**
   * The smallest counter when full (an upper bound on any absent key's count), else 0.
   *
   * @return the floor
   */
  public long floor() {
    return size < capacity ? 0 : counts[heap[0]];
  }

  /**
   * Visits every counter.
   *
   * @param countVisitor receives (key, count)
   * @param errorVisitor receives (key, error), called right after for the same key
   */
  @SuppressWarnings("unchecked")
  public void forEach(ObjLongConsumer<K> countVisitor, ObjLongConsumer<K> errorVisitor) {
    for (int s = 0; s < size; s++) {
      countVisitor.accept((K) keys[s], counts[s]);
      errorVisitor.accept((K) keys[s], errors[s]);
    }
  }

  /** Forgets everything. */
  public void clear() {
    slotOf.clear();
    for (int s = 0; s < size; s++) {
      keys[s] = null;
    }
    size = 0;
  }

  /**
   * Number of counters in use.
   *
   * @return size
   */
  public int size() {
    return size;
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (counts[heap[parent]] <= counts[heap[i]]) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int r = l + 1;
      int smallest = r < size && counts[heap[r]] < counts[heap[l]] ? r : l;
      if (counts[heap[i]] <= counts[heap[smallest]]) {
        return;
      }
      swap(i, smallest);
      i = smallest;
    }
  }

  private void swap(int i, int j) {
    int a = heap[i];
    int b = heap[j];
    heap[i] = b;
    heap[j] = a;
    heapPos[b] = i;
    heapPos[a] = j;
  }
}
