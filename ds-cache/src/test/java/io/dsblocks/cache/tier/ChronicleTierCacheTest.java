package io.dsblocks.cache.tier;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.CacheListener;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.DsCache;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChronicleMapTier} as the L2 of a {@link DsCache}: read order, promotion, fan-out. */
// Integration tier: these tests map real files and load Chronicle Map's ~900 classes (some
// generated at run time). In the unit-test JVM that made CacheLincheckTest, whose agent
// retransforms every loaded class, run for many minutes instead of ~20 s.
@Tag("integration")
class ChronicleTierCacheTest {
  @TempDir Path dir;
  private final TestClock clock = new TestClock();
  private final AtomicInteger loads = new AtomicInteger();
  private final List<String> tierErrors = Collections.synchronizedList(new ArrayList<>());

  private ChronicleMapTier<String, String> l2(long entries) {
    return ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
        .name("l2")
        .persistedTo(dir.resolve("users.l2"))
        .entries(entries)
        .averageKeySize(8)
        .averageValueSize(16)
        .clock(clock)
        .build();
  }

  private DsCache<String, String> cache(
      ChronicleMapTier<String, String> l2, CacheConfig.Builder<String, String> b) {
    return Caches.create(
        b.maximumSize(1_000)
            .recordStats()
            .loader(
                k -> {
                  loads.incrementAndGet();
                  return "loaded-" + k;
                })
            .tier(l2)
            .listener(
                new CacheListener<>() {
                  @Override
                  public void onTierError(String tier, String op, String key, Throwable error) {
                    tierErrors.add(tier + ":" + op + ":" + key);
                  }
                })
            .build());
  }

  @Test
  void anL1MissIsAnsweredFromL2AndPromotedIntoL1() {
    try (ChronicleMapTier<String, String> l2 = l2(1_000)) {
      DsCache<String, String> cache = cache(l2, CacheConfig.builder());
      l2.put("k", "from-l2", null);

      assertThat(cache.getIfPresent("k")).isNull(); // not in L1 yet
      assertThat(cache.get("k")).isEqualTo("from-l2");
      assertThat(loads).hasValue(0);
      assertThat(cache.getIfPresent("k")).as("promoted into L1").isEqualTo("from-l2");
      assertThat(cache.stats().tierHits()).isEqualTo(1);
      cache.close();
    }
  }

  @Test
  void loadsPutsAndInvalidationsGoThroughL2() {
    try (ChronicleMapTier<String, String> l2 = l2(1_000)) {
      DsCache<String, String> cache = cache(l2, CacheConfig.builder());

      assertThat(cache.get("miss")).isEqualTo("loaded-miss"); // L1 miss, L2 miss, loader
      assertThat(loads).hasValue(1);
      assertThat(l2.get("miss")).as("the loaded value reached L2").isEqualTo("loaded-miss");

      cache.put("p", "written");
      assertThat(l2.get("p")).isEqualTo("written");
      cache.put("p", "rewritten");
      assertThat(l2.get("p")).isEqualTo("rewritten");

      cache.invalidate("p");
      assertThat(l2.get("p")).isNull();
      assertThat(cache.getIfPresent("p")).isNull();

      cache.delete("miss");
      assertThat(l2.get("miss")).isNull();

      cache.put("a", "1");
      cache.invalidateAll();
      assertThat(l2.size()).isZero();
      assertThat(tierErrors).isEmpty();
      cache.close();
    }
  }

  @Test
  void theCachesWriteTtlIsStoredInL2AsAnAbsoluteExpiry() {
    try (ChronicleMapTier<String, String> l2 = l2(1_000)) {
      DsCache<String, String> cache =
          cache(l2, CacheConfig.<String, String>builder().expireAfterWrite(Duration.ofMinutes(10)));
      cache.put("session", "s1");
      cache.put("short", "s2", Duration.ofSeconds(30));
      assertThat(l2.get("session")).isEqualTo("s1");
      clock.advance(Duration.ofSeconds(31));
      assertThat(l2.get("short")).isNull();
      assertThat(l2.get("session")).isEqualTo("s1");
      clock.advance(Duration.ofMinutes(10));
      assertThat(l2.get("session")).isNull();
      cache.close();
    }
  }

  @Test
  void afterARestartANewCacheIsServedFromTheL2FileWithoutLoading() {
    try (ChronicleMapTier<String, String> l2 = l2(1_000)) {
      DsCache<String, String> before = cache(l2, CacheConfig.builder());
      for (int i = 0; i < 50; i++) {
        assertThat(before.get("user" + i)).isEqualTo("loaded-user" + i);
      }
      assertThat(loads).hasValue(50);
      before.close();
    }
    loads.set(0);
    try (ChronicleMapTier<String, String> l2 = l2(1_000)) {
      assertThat(l2.openOutcome()).isEqualTo(ChronicleMapTier.OpenOutcome.REOPENED);
      DsCache<String, String> after = cache(l2, CacheConfig.builder());
      for (int i = 0; i < 50; i++) {
        assertThat(after.get("user" + i)).isEqualTo("loaded-user" + i);
      }
      assertThat(loads).as("the loader was not called after the restart").hasValue(0);
      assertThat(after.stats().tierHits()).isEqualTo(50);
      after.close();
    }
  }

  @Test
  void aFullL2IsCountedAndTheCacheKeepsServing() {
    try (ChronicleMapTier<String, String> l2 = l2(100)) {
      DsCache<String, String> cache = cache(l2, CacheConfig.builder());
      for (int i = 0; i < 2_000; i++) {
        cache.put("k" + i, "v" + i);
      }
      assertThat(cache.stats().tierErrors()).isPositive();
      assertThat(tierErrors).isNotEmpty().allMatch(e -> e.startsWith("l2:put:"));
      assertThat(l2.fullCount()).isEqualTo(cache.stats().tierErrors());
      assertThat(cache.get("k1999")).isEqualTo("v1999"); // from L1
      assertThat(loads).hasValue(0);
      cache.close();
    }
  }
}
