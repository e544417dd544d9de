package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteThroughTest {
  private final MemoryStore store = new MemoryStore();
  private final DsCache<String, String> cache =
      Caches.create(
          CacheConfig.<String, String>builder()
              .maximumSize(100)
              .writeThrough(store)
              .recordStats()
              .build());

  @Test
  void storeIsWrittenBeforeTheCache() {
    List<String> cachedDuringWrite = new ArrayList<>();
    store.beforeWrite = k -> cachedDuringWrite.add(String.valueOf(cache.getIfPresent(k)));
    cache.put("k", "v1");
    cache.put("k", "v2");
    cache.delete("k");
    assertThat(cachedDuringWrite).containsExactly("null", "v1", "v2");
    assertThat(store.historyOf("k")).containsExactly("v1", "v2", "<deleted>");
    assertThat(cache.getIfPresent("k")).isNull();
  }

  @Test
  void aFailedStoreWriteLeavesTheCacheUnchangedAndReachesTheCaller() {
    cache.put("k", "old");
    long version = cache.getVersioned("k").version();
    store.failNext.set(1);
    assertThatThrownBy(() -> cache.put("k", "new"))
        .isInstanceOf(CacheStoreException.class)
        .hasMessageContaining("write of key k failed; cache unchanged")
        .hasRootCauseMessage("store unavailable");
    assertThat(cache.getVersioned("k")).isEqualTo(new Versioned<>("old", version));
    assertThat(store.data).containsEntry("k", "old");

    store.failNext.set(1);
    assertThatThrownBy(() -> cache.delete("k"))
        .isInstanceOf(CacheStoreException.class)
        .hasMessageContaining("delete of key k");
    assertThat(cache.getIfPresent("k")).isEqualTo("old");

    store.failNext.set(1);
    assertThatThrownBy(() -> cache.putIfVersion("k", "cas", version))
        .isInstanceOf(CacheStoreException.class);
    assertThat(cache.getIfPresent("k")).isEqualTo("old");
    assertThat(cache.putIfVersion("k", "cas", version)).isPositive();
    assertThat(store.data).containsEntry("k", "cas");
  }

  @Test
  void readsGoThroughToTheStoreOnMiss() {
    store.data.put("x", "from-store");
    assertThat(cache.get("x")).isEqualTo("from-store");
    assertThat(cache.get("x")).isEqualTo("from-store");
    assertThat(store.loads).hasValue(1);
    cache.invalidate("x"); // local only
    assertThat(store.data).containsKey("x");
  }

  @Test
  void rejectedCasDoesNotTouchTheStore() {
    cache.put("k", "a");
    long stale = cache.getVersioned("k").version();
    cache.put("k", "b");
    assertThat(cache.putIfVersion("k", "c", stale)).isEqualTo(-1);
    assertThat(store.historyOf("k")).containsExactly("a", "b");
  }
}
