package io.dsblocks.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.RemovalCause;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.ToIntBiFunction;

/**
 * W-TinyLFU through Caffeine. The hit path is exactly one {@code Cache.getIfPresent}: versions and
 * deadlines live in the immutable {@link Entry}, so nothing is allocated or locked on a hit.
 */
final class CaffeineEntryMap<K, V> implements EntryMap<K, V> {
  private final Cache<K, Entry<V>> cache;
  private final ConcurrentMap<K, Entry<V>> map;

  CaffeineEntryMap(CacheConfig<K, V> config, boolean timed, EvictionSink<K, V> sink) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(config.ticker());
    if (config.executor() != null) {
      // Otherwise Caffeine's default: maintenance off the reader's thread keeps hits cheap.
      builder.executor(config.executor());
    }
    Caffeine<K, Entry<V>> typed =
        builder.evictionListener(
            (K key, Entry<V> entry, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
              if (key != null && entry != null) {
                sink.evicted(
                    key,
                    entry,
                    cause == com.github.benmanes.caffeine.cache.RemovalCause.EXPIRED
                        ? RemovalCause.EXPIRED
                        : RemovalCause.SIZE);
              }
            });
    if (config.maximumSize() >= 0) {
      typed.maximumSize(config.maximumSize());
    }
    if (config.maximumWeight() >= 0) {
      ToIntBiFunction<K, V> weigher = config.weigher();
      // A negatively cached key has no value to weigh; it costs about one small entry.
      typed
          .maximumWeight(config.maximumWeight())
          .weigher((K k, Entry<V> e) -> e.value == null ? 1 : weigher.applyAsInt(k, e.value));
    }
    if (timed) {
      long access = config.expireAfterAccess() == null ? -1 : config.expireAfterAccess().toNanos();
      typed.expireAfter(new EntryExpiry<K, V>(access));
    }
    this.cache = typed.build();
    this.map = cache.asMap();
  }

  @Override
  public Entry<V> get(K key) {
    return cache.getIfPresent(key);
  }

  @Override
  public Entry<V> compute(K key, BiFunction<? super K, ? super Entry<V>, ? extends Entry<V>> fn) {
    return map.compute(key, fn);
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  /**
   * Variable expiry from the entry's own deadline (fixed TTL, per-entry TTL and negative TTL all
   * become a deadline at write time), shortened by the idle timeout when one is configured.
   */
  private static final class EntryExpiry<K, V> implements Expiry<K, Entry<V>> {
    private final long accessNanos;

    EntryExpiry(long accessNanos) {
      this.accessNanos = accessNanos;
    }

    private long untilDeadline(Entry<V> entry, long now) {
      long deadline = entry.deadline();
      long left = deadline == Entry.NEVER ? Long.MAX_VALUE : deadline - now;
      left = Math.max(0, left);
      return accessNanos < 0 ? left : Math.min(left, accessNanos);
    }

    @Override
    public long expireAfterCreate(K key, Entry<V> entry, long currentTime) {
      return untilDeadline(entry, currentTime);
    }

    @Override
    public long expireAfterUpdate(K key, Entry<V> entry, long currentTime, long currentDuration) {
      return untilDeadline(entry, currentTime);
    }

    @Override
    public long expireAfterRead(K key, Entry<V> entry, long currentTime, long currentDuration) {
      return accessNanos < 0 ? currentDuration : untilDeadline(entry, currentTime);
    }
  }
}
