package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EvictionOrderTest {

  private static DsCache<String, String> cache(EvictionPolicy policy, int max, List<String> out) {
    return Caches.create(
        CacheConfig.<String, String>builder()
            .policy(policy)
            .maximumSize(max)
            .listener(
                new CacheListener<>() {
                  @Override
                  public void onEviction(String key, String value, RemovalCause cause) {
                    out.add(key);
                  }
                })
            .build());
  }

  @Test
  void lruEvictsLeastRecentlyUsedExactly() {
    List<String> evicted = new CopyOnWriteArrayList<>();
    DsCache<String, String> c = cache(EvictionPolicy.LRU, 3, evicted);
    c.put("a", "1");
    c.put("b", "2");
    c.put("c", "3");
    c.getIfPresent("a"); // order now b, c, a
    c.put("d", "4"); // evicts b
    c.put("c", "33"); // update counts as use: order a, d, c
    c.put("e", "5"); // evicts a
    c.getIfPresent("d"); // order c, e, d
    c.put("f", "6"); // evicts c
    c.put("g", "7"); // evicts e
    assertThat(evicted).containsExactly("b", "a", "c", "e");
    assertThat(c.getIfPresent("d")).isEqualTo("4");
    assertThat(c.getIfPresent("f")).isEqualTo("6");
    assertThat(c.getIfPresent("g")).isEqualTo("7");
    assertThat(c.estimatedSize()).isEqualTo(3);
  }

  @Test
  void lfuEvictsLeastFrequentlyUsedThenLeastRecent() {
    List<String> evicted = new CopyOnWriteArrayList<>();
    DsCache<String, String> c = cache(EvictionPolicy.LFU, 3, evicted);
    c.put("a", "1"); // a:1
    c.put("b", "2"); // b:1
    c.put("c", "3"); // c:1
    c.getIfPresent("a"); // a:2
    c.getIfPresent("a"); // a:3
    c.getIfPresent("b"); // b:2
    c.put("d", "4"); // evicts c (count 1) -> d:1
    c.put("e", "5"); // evicts d (count 1, the only one) -> e:1
    c.getIfPresent("e"); // e:2, tie with b:2; b used less recently
    c.put("f", "6"); // evicts b
    c.getIfPresent("f"); // f:2
    c.getIfPresent("f"); // f:3
    c.getIfPresent("e"); // e:3, a:3 ; a least recent among count 3
    c.put("g", "7"); // evicts... lowest count: all 3 -> a is least recent
    assertThat(evicted).containsExactly("c", "d", "b", "a");
    assertThat(c.getIfPresent("e")).isEqualTo("5");
    assertThat(c.getIfPresent("f")).isEqualTo("6");
    assertThat(c.getIfPresent("g")).isEqualTo("7");
  }

  @Test
  void lfuInvalidateAndZeroSize() {
    List<String> evicted = new CopyOnWriteArrayList<>();
    DsCache<String, String> c = cache(EvictionPolicy.LFU, 2, evicted);
    c.put("a", "1");
    c.put("b", "2");
    c.getIfPresent("a");
    c.invalidate("b");
    c.put("c", "3");
    assertThat(evicted).isEmpty();
    c.put("d", "4"); // c has count 1, a count 2
    assertThat(evicted).containsExactly("c");
    c.invalidateAll();
    assertThat(c.estimatedSize()).isZero();

    List<String> none = new CopyOnWriteArrayList<>();
    DsCache<String, String> zero = cache(EvictionPolicy.LFU, 0, none);
    zero.put("x", "1");
    assertThat(zero.getIfPresent("x")).isNull();
    assertThat(none).containsExactly("x");
    DsCache<String, String> zeroLru = cache(EvictionPolicy.LRU, 0, none);
    zeroLru.put("y", "1");
    assertThat(zeroLru.getIfPresent("y")).isNull();
  }
}
