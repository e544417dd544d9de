package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoreCacheTest {
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void putGetInvalidateAndVersions() {
    DsCache<String, String> cache = Caches.bounded(100);
    assertThat(cache.getIfPresent("a")).isNull();
    long v1 = cache.put("a", "1");
    long v2 = cache.put("a", "2");
    assertThat(v2).isGreaterThan(v1);
    assertThat(cache.getIfPresent("a")).isEqualTo("2");
    assertThat(cache.getVersioned("a")).isEqualTo(new Versioned<>("2", v2));
    cache.invalidate("a");
    assertThat(cache.getIfPresent("a")).isNull();
    assertThatThrownBy(() -> cache.get("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no loader");
  }

  @Test
  void expireAfterWriteUsesTheInjectedTicker() {
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .ticker(ticker)
                .expireAfterWrite(Duration.ofSeconds(10))
                .build());
    cache.put("a", "1");
    ticker.advance(Duration.ofSeconds(9));
    assertThat(cache.getIfPresent("a")).isEqualTo("1");
    ticker.advance(Duration.ofSeconds(1));
    assertThat(cache.getIfPresent("a")).isNull();
  }

  @Test
  void expireAfterAccessIsRenewedByReads() {
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .ticker(ticker)
                .expireAfterAccess(Duration.ofSeconds(10))
                .build());
    cache.put("a", "1");
    for (int i = 0; i < 5; i++) {
      ticker.advance(Duration.ofSeconds(8));
      assertThat(cache.getIfPresent("a")).isEqualTo("1");
    }
    ticker.advance(Duration.ofSeconds(10));
    assertThat(cache.getIfPresent("a")).isNull();
  }

  @Test
  void perEntryTtlFromFunctionAndFromPut() {
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .ticker(ticker)
                .expireAfterWrite(Duration.ofSeconds(100))
                .expireAfter((k, v) -> Duration.ofSeconds(v.length()))
                .build());
    cache.put("short", "xx"); // 2 s
    cache.put("long", "xxxxx"); // 5 s
    cache.put("explicit", "x", Duration.ofSeconds(30));
    ticker.advance(Duration.ofSeconds(3));
    assertThat(cache.getIfPresent("short")).isNull();
    assertThat(cache.getIfPresent("long")).isEqualTo("xxxxx");
    ticker.advance(Duration.ofSeconds(3));
    assertThat(cache.getIfPresent("long")).isNull();
    assertThat(cache.getIfPresent("explicit")).isEqualTo("x");
    ticker.advance(Duration.ofSeconds(25));
    assertThat(cache.getIfPresent("explicit")).isNull();
    assertThatThrownBy(() -> Caches.<String, String>bounded(5).put("k", "v", Duration.ofSeconds(1)))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("expiry option");
  }

  @Test
  void negativeCachingRemembersMissesForItsTtl() {
    AtomicInteger loads = new AtomicInteger();
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .ticker(ticker)
                .loader(
                    k -> {
                      loads.incrementAndGet();
                      return null;
                    })
                .negativeCaching(Duration.ofSeconds(5))
                .recordStats()
                .build());
    assertThat(cache.get("missing")).isNull();
    assertThat(cache.get("missing")).isNull();
    assertThat(loads).hasValue(1);
    assertThat(cache.getVersioned("missing")).isNull();
    ticker.advance(Duration.ofSeconds(5));
    assertThat(cache.get("missing")).isNull();
    assertThat(loads).hasValue(2);

    DsCache<String, String> plain = Caches.loading(10, k -> null);
    assertThat(plain.get("x")).isNull();
    assertThat(plain.estimatedSize()).isZero();
  }

  @Test
  void refreshAheadServesOldValueAndReloadsInBackground() {
    Map<String, String> source = new ConcurrentHashMap<>(Map.of("k", "v1"));
    List<Runnable> tasks = new ArrayList<>();
    Executor manual = tasks::add;
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .ticker(ticker)
                .loader(source::get)
                .refreshAfterWrite(Duration.ofSeconds(10))
                .refreshExecutor(manual)
                .recordStats()
                .build());
    assertThat(cache.get("k")).isEqualTo("v1");
    source.put("k", "v2");
    ticker.advance(Duration.ofSeconds(9));
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(tasks).isEmpty();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(cache.get("k")).isEqualTo("v1"); // stale-while-refresh
    assertThat(cache.get("k")).isEqualTo("v1");
    assertThat(tasks).hasSize(1); // single-flight: one refresh for two reads
    tasks.remove(0).run();
    assertThat(cache.get("k")).isEqualTo("v2");
    assertThat(cache.stats().loads()).isEqualTo(2);
  }

  @Test
  void statsCountHitsMissesLoadsFailuresTimeAndEvictions() {
    AtomicInteger calls = new AtomicInteger();
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .ticker(ticker)
                .maximumSize(2)
                .policy(EvictionPolicy.LRU)
                .loader(
                    k -> {
                      ticker.advance(Duration.ofMillis(7));
                      if (k.equals("bad")) {
                        calls.incrementAndGet();
                        throw new IllegalStateException("boom");
                      }
                      return k.toUpperCase(java.util.Locale.ROOT);
                    })
                .recordStats()
                .build());
    assertThat(cache.get("a")).isEqualTo("A");
    assertThat(cache.get("a")).isEqualTo("A");
    assertThatThrownBy(() -> cache.get("bad"))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("bad")
        .hasRootCauseMessage("boom");
    cache.get("b");
    cache.get("c"); // evicts a
    CacheStats s = cache.stats();
    assertThat(s.hits()).isEqualTo(1);
    assertThat(s.misses()).isEqualTo(4);
    assertThat(s.loads()).isEqualTo(3);
    assertThat(s.loadFailures()).isEqualTo(1);
    assertThat(s.totalLoadTimeNanos()).isEqualTo(Duration.ofMillis(28).toNanos());
    assertThat(s.evictions()).isEqualTo(1);
    assertThat(s.hitRate()).isEqualTo(0.2);
  }

  @Test
  void listenersSeeEvictionsAndFailuresAndCannotBreakTheCache() {
    List<String> events = new CopyOnWriteArrayList<>();
    CacheListener<String, String> listener =
        new CacheListener<>() {
          @Override
          public void onEviction(String key, String value, RemovalCause cause) {
            events.add("evict " + key + "=" + value + " " + cause);
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void onLoadFailure(String key, Throwable error) {
            events.add("fail " + key);
          }
        };
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .policy(EvictionPolicy.LFU)
                .maximumSize(1)
                .loader(
                    k -> {
                      throw new java.io.IOException("down");
                    })
                .listener(listener)
                .build());
    cache.put("a", "1");
    cache.put("b", "2");
    assertThatThrownBy(() -> cache.get("c")).isInstanceOf(CacheLoadException.class);
    assertThat(events).containsExactly("evict a=1 SIZE", "fail c");
    assertThat(cache.getIfPresent("b")).isEqualTo("2");
  }

  @Test
  void caffeineSizeBoundEvictsAndReportsExpiry() {
    List<RemovalCause> causes = new CopyOnWriteArrayList<>();
    DsCache<Integer, Integer> cache =
        Caches.create(
            CacheConfig.<Integer, Integer>builder()
                .executor(Runnable::run) // deterministic eviction
                .maximumSize(50)
                .ticker(ticker)
                .expireAfterWrite(Duration.ofSeconds(1))
                .recordStats()
                .listener(
                    new CacheListener<>() {
                      @Override
                      public void onEviction(Integer key, Integer value, RemovalCause cause) {
                        causes.add(cause);
                      }
                    })
                .build());
    for (int i = 0; i < 500; i++) {
      cache.put(i, i);
    }
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(50);
    assertThat(cache.stats().evictions()).isGreaterThanOrEqualTo(450);
    assertThat(causes).contains(RemovalCause.SIZE);
    ticker.advance(Duration.ofSeconds(2));
    for (int i = 0; i < 500; i++) {
      assertThat(cache.getIfPresent(i)).isNull();
    }
    cache.put(1000, 1); // runs maintenance, which reports the expired entries
    assertThat(causes).contains(RemovalCause.EXPIRED);
  }

  @Test
  void weightBound() {
    DsCache<String, String> cache =
        Caches.create(
            CacheConfig.<String, String>builder()
                .executor(Runnable::run)
                .maximumWeight(100, (k, v) -> v.length())
                .build());
    for (int i = 0; i < 20; i++) {
      cache.put("k" + i, "x".repeat(10));
    }
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(10);
  }

  @Test
  void putIfVersionRejectsStaleWriters() {
    DsCache<String, String> cache = Caches.bounded(10);
    assertThat(cache.putIfVersion("k", "first", 0)).isPositive();
    Versioned<String> read = cache.getVersioned("k");
    long newer = cache.put("k", "someone else");
    assertThat(cache.putIfVersion("k", "mine", read.version())).isEqualTo(-1);
    assertThat(cache.getIfPresent("k")).isEqualTo("someone else");
    assertThat(cache.putIfVersion("k", "mine", newer)).isGreaterThan(newer);
    assertThat(cache.getIfPresent("k")).isEqualTo("mine");
    assertThat(cache.putIfVersion("k", "again", 0)).isEqualTo(-1);
    assertThatThrownBy(() -> cache.putIfVersion("k", "x", -3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-3");
  }
}
