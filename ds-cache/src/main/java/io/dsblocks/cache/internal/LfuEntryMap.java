package io.dsblocks.cache.internal;

import io.dsblocks.cache.RemovalCause;
import java.util.HashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * Exact LFU in O(1) (the frequency-list layout of Shah, Mitra and Matani, 2010): a list of
 * frequency buckets in increasing order, each holding the entries used exactly that many times in
 * recency order. A use moves an entry to the next bucket (creating it if needed); the victim is the
 * least recently used entry of the first (lowest) bucket. Reads and writes both count as uses.
 *
 * <p>Locking: one {@link ReentrantLock} guards everything, because every read changes a count. The
 * victim is chosen before a new key is inserted (otherwise the newcomer, with count 1, would always
 * be the victim). Eviction listeners are called after the lock is released.
 */
public final class LfuEntryMap<K, V> implements EntryMap<K, V> {
  private final ReentrantLock lock = new ReentrantLock();
  private final HashMap<K, Node<K, V>> index = new HashMap<>();
  private final Bucket<K, V> buckets = new Bucket<>(0); // sentinel: buckets.next = lowest count
  private final long maximumSize;
  private final EvictionSink<K, V> sink;

  LfuEntryMap(long maximumSize, EvictionSink<K, V> sink) {
    this.maximumSize = maximumSize;
    this.sink = sink;
    buckets.next = buckets;
    buckets.prev = buckets;
  }

  @Override
  public Entry<V> get(K key) {
    lock.lock();
    try {
      Node<K, V> node = index.get(key);
      if (node == null) {
        return null;
      }
      touch(node);
      return node.entry;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Entry<V> compute(K key, BiFunction<? super K, ? super Entry<V>, ? extends Entry<V>> fn) {
    Node<K, V> victim = null;
    Entry<V> result;
    lock.lock();
    try {
      Node<K, V> node = index.get(key);
      result = fn.apply(key, node == null ? null : node.entry);
      if (result == null) {
        if (node != null) {
          index.remove(key);
          removeFromBucket(node);
        }
      } else if (node != null) {
        node.entry = result;
        touch(node);
      } else if (maximumSize == 0) {
        victim = new Node<>(key, result); // nothing fits: the newcomer is dropped at once
      } else {
        if (index.size() >= maximumSize) {
          Bucket<K, V> lowest = buckets.next;
          victim = lowest.items.prev; // least recent of the least used
          index.remove(victim.key);
          removeFromBucket(victim);
        }
        node = new Node<>(key, result);
        index.put(key, node);
        Bucket<K, V> first = buckets.next;
        if (first == buckets || first.count != 1) {
          first = insertBucketAfter(buckets, 1);
        }
        addToBucket(first, node);
      }
    } finally {
      lock.unlock();
    }
    if (victim != null) {
      sink.evicted(victim.key, victim.entry, RemovalCause.SIZE);
    }
    return result;
  }

  @Override
  public void clear() {
    lock.lock();
    try {
      index.clear();
      buckets.next = buckets;
      buckets.prev = buckets;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long size() {
    lock.lock();
    try {
      return index.size();
    } finally {
      lock.unlock();
    }
  }

  /** Moves {@code node} from its bucket (count c) to the bucket of count c + 1. */
  private void touch(Node<K, V> node) {
    Bucket<K, V> current = node.bucket;
    Bucket<K, V> next = current.next;
    if (next == buckets || next.count != current.count + 1) {
      next = insertBucketAfter(current, current.count + 1);
    }
    removeFromBucket(node);
    addToBucket(next, node);
  }

  private Bucket<K, V> insertBucketAfter(Bucket<K, V> before, long count) {
    Bucket<K, V> bucket = new Bucket<>(count);
    bucket.prev = before;
    bucket.next = before.next;
    before.next.prev = bucket;
    before.next = bucket;
    return bucket;
  }

  private static <K, V> void addToBucket(Bucket<K, V> bucket, Node<K, V> node) {
    node.bucket = bucket;
    Node<K, V> items = bucket.items;
    node.prev = items;
    node.next = items.next;
    items.next.prev = node;
    items.next = node;
  }

  /** Unlinks {@code node}; drops its bucket if it became empty (keeps the bucket list short). */
  private static <K, V> void removeFromBucket(Node<K, V> node) {
    node.prev.next = node.next;
    node.next.prev = node.prev;
    Bucket<K, V> bucket = node.bucket;
    if (bucket.items.next == bucket.items) {
      bucket.prev.next = bucket.next;
      bucket.next.prev = bucket.prev;
    }
    node.bucket = null;
  }

  private static final class Bucket<K, V> {
    final long count;
    final Node<K, V> items = new Node<>(null, null); // sentinel: items.next = most recent
    Bucket<K, V> prev;
    Bucket<K, V> next;

    Bucket(long count) {
      this.count = count;
      items.next = items;
      items.prev = items;
    }
  }

  private static final class Node<K, V> {
    final K key;
    Entry<V> entry;
    Bucket<K, V> bucket;
    Node<K, V> prev;
    Node<K, V> next;

    Node(K key, Entry<V> entry) {
      this.key = key;
      this.entry = entry;
    }
  }
}
