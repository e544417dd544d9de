package io.dsblocks.cache.internal;

import io.dsblocks.cache.RemovalCause;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * Exact LRU: a hash map for lookup plus a doubly linked list in recency order (head = most recent),
 * so get, put and evict are O(1).
 *
 * <p>Locking: one {@link ReentrantLock} guards the map and the list. Reads take it as well, because
 * a read moves its node to the head; that is the price of an exact, explainable order (W-TinyLFU
 * avoids it by buffering reads, which makes order approximate). Eviction listeners are called after
 * the lock is released.
 */
public final class LruEntryMap<K, V> implements EntryMap<K, V> {
  private final ReentrantLock lock = new ReentrantLock();
  private final HashMap<K, Node<K, V>> index = new HashMap<>();
  private final Node<K, V> head = new Node<>(null, null); // sentinel: head.next = most recent
  private final long maximumSize;
  private final EvictionSink<K, V> sink;

  LruEntryMap(long maximumSize, EvictionSink<K, V> sink) {
    this.maximumSize = maximumSize;
    this.sink = sink;
    head.next = head;
    head.prev = head;
  }

  @Override
  public Entry<V> get(K key) {
    lock.lock();
    try {
      Node<K, V> node = index.get(key);
      if (node == null) {
        return null;
      }
      unlink(node);
      linkFirst(node);
      return node.entry;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Entry<V> compute(K key, BiFunction<? super K, ? super Entry<V>, ? extends Entry<V>> fn) {
    List<Node<K, V>> evicted = null;
    Entry<V> result;
    lock.lock();
    try {
      Node<K, V> node = index.get(key);
      result = fn.apply(key, node == null ? null : node.entry);
      if (result == null) {
        if (node != null) {
          index.remove(key);
          unlink(node);
        }
      } else if (node != null) {
        node.entry = result;
        unlink(node);
        linkFirst(node);
      } else {
        node = new Node<>(key, result);
        index.put(key, node);
        linkFirst(node);
        while (index.size() > maximumSize) {
          Node<K, V> victim = head.prev;
          unlink(victim);
          index.remove(victim.key);
          if (evicted == null) {
            evicted = new ArrayList<>(1);
          }
          evicted.add(victim);
        }
      }
    } finally {
      lock.unlock();
    }
    if (evicted != null) {
      for (Node<K, V> victim : evicted) {
        sink.evicted(victim.key, victim.entry, RemovalCause.SIZE);
      }
    }
    return result;
  }

  @Override
  public void clear() {
    lock.lock();
    try {
      index.clear();
      head.next = head;
      head.prev = head;
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

  private void linkFirst(Node<K, V> node) {
    node.prev = head;
    node.next = head.next;
    head.next.prev = node;
    head.next = node;
  }

  private static <K, V> void unlink(Node<K, V> node) {
    node.prev.next = node.next;
    node.next.prev = node.prev;
  }

  private static final class Node<K, V> {
    final K key;
    Entry<V> entry;
    Node<K, V> prev;
    Node<K, V> next;

    Node(K key, Entry<V> entry) {
      this.key = key;
      this.entry = entry;
    }
  }
}
