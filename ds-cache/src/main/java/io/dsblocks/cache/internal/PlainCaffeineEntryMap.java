package io.dsblocks.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.RemovalCause;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.ToIntBiFunction;

/**
 * W-TinyLFU through Caffeine for caches without expiry or refresh, laid out for the fastest hit:
 * Caffeine holds the user's value itself, so a hit is one {@code Cache.getIfPresent} that returns
 * the value without touching any object of ours. (Storing the {@link Entry} record in Caffeine, as
 * {@link CaffeineEntryMap} does, costs a dependent load of that record on every hit, about a third
 * of a raw Caffeine hit when entries are not in the CPU cache.)
 *
 * <p>The entry records (version, identity for the load guard) live in a side map, {@link #entries}.
 * Every change of a key updates both maps inside Caffeine's compute for that key, which holds the
 * key's lock, so writers see them change together; eviction removes the record from inside
 * Caffeine's eviction listener, which runs atomically with the eviction. Readers outside the lock
 * may catch the two maps between the updates of one compute: {@link #get} re-reads until they
 * agree. The price is one more hash-map update per write and about 40 bytes per key.
 */
final class PlainCaffeineEntryMap<K, V> implements EntryMap<K, V> {
  private final Cache<K, V> cache;
  private final ConcurrentMap<K, V> values;
  private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

  PlainCaffeineEntryMap(CacheConfig<K, V> config, EvictionSink<K, V> sink) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(config.ticker());
    if (config.executor() != null) {
      builder.executor(config.executor());
    }
    Caffeine<K, V> typed =
        builder.evictionListener(
            (K key, V value, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
              if (key == null || value == null) {
                return;
              }
              Entry<V> record = entries.get(key);
              if (record != null && record.value == value) {
                entries.remove(key, record);
                sink.evicted(key, record, RemovalCause.SIZE);
              }
            });
    if (config.maximumSize() >= 0) {
      typed.maximumSize(config.maximumSize());
    }
    if (config.maximumWeight() >= 0) {
      ToIntBiFunction<K, V> weigher = config.weigher();
      typed.maximumWeight(config.maximumWeight()).weigher(weigher::applyAsInt);
    }
    this.cache = typed.build();
    this.values = cache.asMap();
  }

  /**
   * The hit path: the cached value, or null.
   *
   * @param key the key
   * @return the value
   */
  V value(K key) {
    return cache.getIfPresent(key);
  }

  @Override
  public Entry<V> get(K key) {
    while (true) {
      V value = values.get(key);
      if (value == null) {
        return null;
      }
      Entry<V> record = entries.get(key);
      if (record != null && record.value == value) {
        return record;
      }
      // Caught between the two updates of one compute (or an eviction): read again.
      Thread.onSpinWait();
    }
  }

  @Override
  public Entry<V> compute(K key, BiFunction<? super K, ? super Entry<V>, ? extends Entry<V>> fn) {
    @SuppressWarnings("unchecked")
    Entry<V>[] result = (Entry<V>[]) new Entry<?>[1];
    values.compute(
        key,
        (k, oldValue) -> {
          Entry<V> old = null;
          if (oldValue != null) {
            old = entries.get(k);
            if (old == null || old.value != oldValue) {
              throw new IllegalStateException("entry record of a cached key is missing: " + k);
            }
          }
          Entry<V> fresh = fn.apply(k, old);
          result[0] = fresh;
          if (fresh == old) {
            return oldValue;
          }
          if (fresh == null) {
            entries.remove(k);
            return null;
          }
          if (fresh.value == null) {
            throw new IllegalStateException("negative entries need a timed cache");
          }
          entries.put(k, fresh);
          return fresh.value;
        });
    return result[0];
  }

  @Override
  public void clear() {
    // Key by key, so each removal takes both maps together (Caffeine's invalidateAll would not).
    for (K key : values.keySet()) {
      compute(key, (k, old) -> null);
    }
  }

  /** For tests: the number of entry records, which must match the number of cached values. */
  int recordCount() {
    cache.cleanUp();
    return entries.size();
  }

  /** For tests: the number of cached values after pending maintenance. */
  int valueCount() {
    cache.cleanUp();
    return values.size();
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }
}
