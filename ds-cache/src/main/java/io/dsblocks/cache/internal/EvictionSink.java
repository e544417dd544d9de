package io.dsblocks.cache.internal;

import io.dsblocks.cache.RemovalCause;

/** Where an {@link EntryMap} reports entries it dropped on its own. */
@FunctionalInterface
interface EvictionSink<K, V> {
  void evicted(K key, Entry<V> entry, RemovalCause cause);
}
