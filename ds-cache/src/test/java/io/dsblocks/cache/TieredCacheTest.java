package io.dsblocks.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The tier contract of {@link DsCache}: read order, promotion, write/invalidate fan-out, faults.
 */
class TieredCacheTest {
  private final MapTier l2 = new MapTier("l2", false);
  private final MapTier remote = new MapTier("remote", true);
  private final AtomicInteger loads = new AtomicInteger();
  private final List<String> tierErrors = Collections.synchronizedList(new ArrayList<>());

  private DsCache<String, String> cache(CacheConfig.Builder<String, String> b) {
    return Caches.create(
        b.tier(l2)
            .tier(remote)
            .listener(
                new CacheListener<>() {
                  @Override
                  public void onTierError(String tier, String op, String key, Throwable error) {
                    tierErrors.add(tier + ":" + op + ":" + key);
                  }
                })
            .build());
  }

  private DsCache<String, String> loading() {
    return cache(
        CacheConfig.<String, String>builder()
            .maximumSize(100)
            .loader(
                k -> {
                  loads.incrementAndGet();
                  return "loaded-" + k;
                }));
  }

  @Test
  void aMissReadsTheTiersInOrderAndPromotesIntoTheLevelsAbove() {
    DsCache<String, String> cache = loading();
    remote.data.put("r", "from-remote");
    l2.data.put("l", "from-l2");

    assertThat(cache.get("r")).isEqualTo("from-remote");
    assertThat(l2.data).containsEntry("r", "from-remote"); // promoted into L2
    assertThat(cache.getIfPresent("r")).isEqualTo("from-remote"); // and into L1

    assertThat(cache.get("l")).isEqualTo("from-l2");
    assertThat(remote.calls).doesNotContain("get l"); // L2 answered first
    assertThat(remote.data).doesNotContainKey("l"); // nothing is pushed down on a hit

    assertThat(loads).hasValue(0);
    assertThat(cache.stats().tierHits()).isEqualTo(2);
  }

  /**
   * Another node may write the shared tier while this node loads: the load's fill must not replace
   * that newer value (the local L2 takes the loaded value, and the next invalidation message fixes
   * L1 and L2).
   */
  @Test
  void aLoadNeverOverwritesAValueAnotherNodeWroteToTheSharedTier() throws Exception {
    DsCache<String, String> cache = loading();
    remote.getEntered = new CountDownLatch(1);
    remote.releaseGet = new CountDownLatch(1);
    CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> cache.get("k"));
    assertThat(remote.getEntered.await(10, TimeUnit.SECONDS)).isTrue(); // remote missed
    remote.getEntered = null;
    remote.data.put("k", "written-by-node-B");
    remote.releaseGet.countDown();

    assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("loaded-k");
    assertThat(remote.data).containsEntry("k", "written-by-node-B");
    assertThat(remote.calls).contains("putIfAbsent k=loaded-k").doesNotContain("put k=loaded-k");
    assertThat(l2.calls).contains("put k=loaded-k");
  }

  @Test
  void aLoadedValueIsWrittenToEveryTier() {
    DsCache<String, String> cache = loading();
    assertThat(cache.get("k")).isEqualTo("loaded-k");
    assertThat(loads).hasValue(1);
    assertThat(l2.data).containsEntry("k", "loaded-k");
    assertThat(remote.data).containsEntry("k", "loaded-k");
  }

  @Test
  void putsDeletesAndInvalidationsGoThroughEveryTier() {
    MemoryStore store = new MemoryStore();
    DsCache<String, String> cache =
        cache(CacheConfig.<String, String>builder().maximumSize(100).writeThrough(store));
    cache.put("k", "v");
    assertThat(l2.data).containsEntry("k", "v");
    assertThat(remote.data).containsEntry("k", "v");

    cache.invalidate("k");
    assertThat(l2.data).doesNotContainKey("k");
    assertThat(remote.data).doesNotContainKey("k");
    assertThat(store.data).containsEntry("k", "v");

    cache.put("k", "v2");
    cache.delete("k");
    assertThat(l2.data).isEmpty();
    assertThat(remote.data).isEmpty();
    assertThat(store.data).doesNotContainKey("k");

    cache.put("a", "1");
    cache.invalidateAll();
    assertThat(l2.data).isEmpty();
    assertThat(remote.data).isEmpty();
  }

  @Test
  void aRemoteInvalidationKeepsTheSharedTier() {
    DsCache<String, String> cache = loading();
    cache.put("k", "v");
    cache.invalidateLocal("k");
    assertThat(cache.getIfPresent("k")).isNull();
    assertThat(l2.data).doesNotContainKey("k");
    assertThat(remote.data).containsEntry("k", "v");
    assertThat(cache.get("k")).isEqualTo("v"); // read back from the shared tier, no load
    assertThat(loads).hasValue(0);

    cache.put("x", "y");
    cache.invalidateAllLocal();
    assertThat(l2.data).isEmpty();
    assertThat(remote.data).containsKeys("k", "x");
  }

  @Test
  void compareAndSetWritesTheTiersOnlyWhenItWins() {
    DsCache<String, String> cache = loading();
    long v1 = cache.put("k", "v1");
    assertThat(cache.putIfVersion("k", "stale", v1 + 1000)).isEqualTo(-1);
    assertThat(remote.data).containsEntry("k", "v1");
    assertThat(cache.putIfVersion("k", "v2", v1)).isPositive();
    assertThat(l2.data).containsEntry("k", "v2");
    assertThat(remote.data).containsEntry("k", "v2");
  }

  @Test
  void tiersGetTheWriteTtl() {
    DsCache<String, String> cache =
        cache(
            CacheConfig.<String, String>builder()
                .maximumSize(100)
                .expireAfterWrite(Duration.ofMinutes(5)));
    cache.put("a", "1");
    cache.put("b", "2", Duration.ofSeconds(7));
    assertThat(l2.ttls).containsEntry("a", Duration.ofMinutes(5));
    assertThat(remote.ttls).containsEntry("b", Duration.ofSeconds(7));
  }

  @Test
  void aFailingTierIsSkippedCountedAndReported() {
    DsCache<String, String> cache = loading();
    l2.down.set(true);
    remote.data.put("r", "from-remote");

    assertThat(cache.get("r")).isEqualTo("from-remote"); // L2 get failed, remote answered
    assertThat(cache.get("k")).isEqualTo("loaded-k");
    cache.put("p", "v");
    cache.invalidate("p");

    assertThat(tierErrors)
        .contains("l2:get:r", "l2:put:r", "l2:get:k", "l2:put:k", "l2:put:p", "l2:remove:p");
    assertThat(cache.stats().tierErrors()).isEqualTo(tierErrors.size());
    assertThat(remote.data).containsEntry("k", "loaded-k").doesNotContainKey("p");

    remote.down.set(true);
    assertThat(cache.get("r")).isEqualTo("from-remote"); // L1 still serves
    cache.invalidate("r");
    assertThat(cache.get("r")).isEqualTo("loaded-r"); // every tier down: the loader answers
  }

  @Test
  void aCacheWithTiersButNoLoaderReadsTheTiers() {
    DsCache<String, String> cache = cache(CacheConfig.<String, String>builder().maximumSize(10));
    remote.data.put("k", "v");
    assertThat(cache.get("k")).isEqualTo("v");
    assertThat(cache.get("absent")).isNull();
    assertThat(cache.getIfPresent("absent")).isNull();
  }

  /**
   * A tier read that started before a put and returns the old value must neither reach L1 nor be
   * promoted over the put's value in the tiers above it.
   */
  @Test
  void aPromotionRacingAPutNeverOverwritesTheNewerValue() throws Exception {
    DsCache<String, String> cache = loading();
    remote.data.put("k", "old");
    remote.getEntered = new CountDownLatch(1);
    remote.releaseGet = new CountDownLatch(1);

    CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> cache.get("k"));
    assertThat(remote.getEntered.await(10, TimeUnit.SECONDS)).isTrue();
    remote.getEntered = null;
    cache.put("k", "new"); // L1, L2 and remote now hold "new"; the reader still holds "old"
    remote.releaseGet.countDown();

    assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("old"); // its own caller sees it
    assertThat(cache.getIfPresent("k")).isEqualTo("new");
    assertThat(l2.data).containsEntry("k", "new");
    assertThat(remote.data).containsEntry("k", "new");
    assertThat(cache.stats().staleLoadsDiscarded()).isEqualTo(1);
  }

  /** An invalidation racing a promotion leaves no copy in the tiers above. */
  @Test
  void aPromotionRacingAnInvalidationLeavesNothingBehind() throws Exception {
    DsCache<String, String> cache = loading();
    remote.data.put("k", "v");
    remote.getEntered = new CountDownLatch(1);
    remote.releaseGet = new CountDownLatch(1);

    CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> cache.get("k"));
    assertThat(remote.getEntered.await(10, TimeUnit.SECONDS)).isTrue();
    remote.getEntered = null;
    cache.invalidateLocal("k"); // as on a remote change notice: the shared tier is kept
    remote.releaseGet.countDown();

    assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("v");
    assertThat(cache.getIfPresent("k")).isNull();
    assertThat(l2.data).doesNotContainKey("k");
  }

  /**
   * Two puts of one key: the first is stalled inside its L2 write, after its L1 install. The second
   * must not overtake it in the tiers, or L2 would end with the first value and L1 with the second.
   */
  @Test
  void aSecondPutWaitsForTheFirstToReachTheTiers() throws Exception {
    DsCache<String, String> cache = loading();
    CountDownLatch entered = new CountDownLatch(1);
    l2.releasePut = new CountDownLatch(1);
    l2.putEntered = entered; // the first put clears the field, so keep our own reference
    CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> cache.put("k", "first"));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    Thread second = new Thread(() -> cache.put("k", "second"));
    second.start();
    // Either it overtakes (finishes) or it waits for the key's lock: both end this wait.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !second.isAlive() || second.getState() == Thread.State.WAITING);
    l2.releasePut.countDown();
    first.get(10, TimeUnit.SECONDS);
    second.join(10_000);

    assertThat(cache.getIfPresent("k")).isEqualTo("second");
    assertThat(l2.data).containsEntry("k", "second");
    assertThat(remote.data).containsEntry("k", "second");
  }

  @Test
  void concurrentPutsLeaveL1AndEveryTierAgreeing() throws Exception {
    DsCache<String, String> cache = loading();
    int threads = 8;
    int rounds = 2_000;
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      all.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                for (int i = 0; i < rounds; i++) {
                  String key = "k" + (i % 4);
                  if (i % 7 == 0) {
                    cache.invalidate(key);
                  } else {
                    cache.put(key, id + ":" + i);
                  }
                }
              }));
    }
    start.countDown();
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    for (int k = 0; k < 4; k++) {
      String key = "k" + k;
      String inL1 = cache.getIfPresent(key);
      assertThat(l2.data.get(key)).as("L2 vs L1 for %s", key).isEqualTo(inL1);
      assertThat(remote.data.get(key)).as("remote vs L1 for %s", key).isEqualTo(inL1);
    }
  }

  @Test
  void aTierCannotBeAddedTwice() {
    assertThatThrownBy(() -> CacheConfig.<String, String>builder().tier(l2).tier(l2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tier 'l2' was added twice");
  }
}
