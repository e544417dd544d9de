package io.dsblocks.sharding;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HotKeyTrackerTest {
  private final AtomicLong now = new AtomicLong();
  private final Ticker ticker = now::get;

  private HotKeyTracker<String> tracker(int capacity) {
    return HotKeyTracker.<String>builder()
        .capacity(capacity)
        .buckets(6)
        .window(Duration.ofSeconds(60))
        .ticker(ticker)
        .build();
  }

  @Test
  void findsTheTrueTopKeysOfAZipfStreamWithBoundedCounters() {
    HotKeyTracker<String> hot = tracker(64);
    SplittableRandom r = new SplittableRandom(3);
    Map<String, Long> truth = new HashMap<>();
    // Zipf-like: key i with probability ~ 1/(i+1) over 5000 keys.
    double[] cdf = new double[5000];
    double sum = 0;
    for (int i = 0; i < cdf.length; i++) {
      sum += 1.0 / (i + 1);
      cdf[i] = sum;
    }
    for (int n = 0; n < 100_000; n++) {
      double u = r.nextDouble() * sum;
      int lo = 0;
      int hi = cdf.length - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cdf[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      String key = "key-" + lo;
      hot.record("node-a", key);
      truth.merge(key, 1L, Long::sum);
    }
    List<HotKey<String>> top = hot.topK("node-a", 5);
    assertThat(top)
        .extracting(HotKey::key)
        .containsExactly("key-0", "key-1", "key-2", "key-3", "key-4");
    for (HotKey<String> h : top) {
      long t = truth.get(h.key());
      assertThat(h.count()).isGreaterThanOrEqualTo(t);
      assertThat(h.guaranteedCount()).isLessThanOrEqualTo(t);
    }
  }

  @Test
  void theWindowSlidesWithTheInjectedTicker() {
    HotKeyTracker<String> hot = tracker(16);
    for (int i = 0; i < 100; i++) {
      hot.record("n", "old");
    }
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    for (int i = 0; i < 10; i++) {
      hot.record("n", "new");
    }
    assertThat(hot.topK("n", 2)).extracting(HotKey::key).containsExactly("old", "new");
    assertThat(hot.topK("n", 1).get(0).count()).isEqualTo(100);
    // 61 s after the first burst its sub-window has left the window.
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    assertThat(hot.topK("n", 2)).extracting(HotKey::key).containsExactly("new");
    now.addAndGet(Duration.ofSeconds(60).toNanos());
    assertThat(hot.topK("n", 2)).isEmpty();
    assertThat(hot.topKPerNode(3)).isEmpty();
  }

  @Test
  void reportsPerNodeAndKeepsNodesSeparate() {
    HotKeyTracker<String> hot = tracker(8);
    ShardRouter<SimpleNode> router = ShardRouters.maglev(TestNodes.nodes(3));
    for (int i = 0; i < 3_000; i++) {
      String key = i % 3 == 0 ? "celebrity" : "user-" + i;
      hot.record(router.route(key).id(), key);
    }
    String owner = router.route("celebrity").id();
    Map<String, List<HotKey<String>>> perNode = hot.topKPerNode(1);
    assertThat(perNode.get(owner).get(0).key()).isEqualTo("celebrity");
    assertThat(perNode.get(owner).get(0).guaranteedCount()).isGreaterThanOrEqualTo(1_000 - 0);
    perNode.forEach(
        (node, keys) -> {
          if (!node.equals(owner)) {
            assertThat(keys).extracting(HotKey::key).doesNotContain("celebrity");
          }
        });
    assertThat(hot.nodeIds()).containsExactlyElementsOf(new java.util.TreeSet<>(perNode.keySet()));
    hot.forget(owner);
    assertThat(hot.topK(owner, 1)).isEmpty();
  }

  @Test
  void memoryStaysBoundedWithManyDistinctKeys() {
    HotKeyTracker<String> hot = tracker(32);
    for (int i = 0; i < 50_000; i++) {
      hot.record("n", "unique-" + i);
      hot.record("n", "hot");
    }
    List<HotKey<String>> top = hot.topK("n", 100);
    assertThat(top).hasSizeLessThanOrEqualTo(32);
    assertThat(top.get(0).key()).isEqualTo("hot");
    assertThat(top.get(0).guaranteedCount()).isGreaterThan(45_000);
  }
}
