package io.dsblocks.cache.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.CacheListener;
import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.InvalidationNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two nodes, each a {@link DsCache} with its own L1 over one shared {@link RedisTier} namespace and
 * joined by a {@link RedisInvalidationBus}, against a real redis-server that the outage tests kill
 * and restart on the same port.
 */
@Tag("integration")
class RedisTieredCacheIntegrationTest {
  private static final Duration BOUND = Duration.ofSeconds(2);

  private static RedisServerProcess server;
  private static RedisClient adminClient;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Map<String, String> database = new ConcurrentHashMap<>();

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServerProcess.start();
    adminClient = RedisClient.create(server.uri());
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (adminClient != null) {
      adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void emptyDatabase() {
    if (!server.alive()) {
      server.restart();
    }
    admin(RedisCommands::flushall);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  /** Runs one admin command on a fresh connection (the server may have been restarted). */
  private static <T> T admin(Function<RedisCommands<String, String>, T> cmd) {
    try (StatefulRedisConnection<String, String> c = adminClient.connect()) {
      return cmd.apply(c.sync());
    }
  }

  private static String redisGet(String key) {
    return admin(c -> c.get(key));
  }

  private static long redisExists(String... keys) {
    return admin(c -> c.exists(keys));
  }

  private static List<String> redisKeys(String pattern) {
    return admin(c -> c.keys(pattern));
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  /** A tier owning its client (fail-fast options, reconnect backoff capped at 200 ms). */
  private RedisTier<String, String> tier(String namespace, int maxPendingRepairs, Events events) {
    RedisTier.Builder<String, String> b =
        RedisTier.<String, String>builder()
            .uri(server.uri())
            .namespace(namespace)
            .keyCodec(Codec.utf8())
            .valueCodec(Codec.utf8())
            .maxReconnectDelay(Duration.ofMillis(200))
            .maxPendingRepairs(maxPendingRepairs);
    if (events != null) {
      b.repairListener(events);
    }
    return track(b.build());
  }

  private RedisInvalidationBus<String> bus() {
    return track(
        RedisInvalidationBus.<String>builder()
            .uri(server.uri())
            .channel("test:invalidations")
            .keyCodec(Codec.utf8())
            .maxReconnectDelay(Duration.ofMillis(200))
            .build());
  }

  private DsCache<String, String> cache(
      String name, RedisTier<String, String> tier, AtomicInteger loads, Events events) {
    CacheConfig.Builder<String, String> b =
        CacheConfig.<String, String>builder()
            .name(name)
            .maximumSize(1_000)
            .recordStats()
            .loader(
                key -> {
                  loads.incrementAndGet();
                  return database.get(key);
                });
    if (tier != null) {
      b.tier(tier);
    }
    if (events != null) {
      b.listener(events);
    }
    return track(Caches.create(b.build()));
  }

  /** Records tier errors and repairs. */
  static final class Events implements CacheListener<String, String>, RepairListener<String> {
    final List<String> tierErrors = new CopyOnWriteArrayList<>();
    final List<String> repaired = new CopyOnWriteArrayList<>();
    final AtomicInteger namespaceClears = new AtomicInteger();

    @Override
    public void onTierError(String tier, String operation, String key, Throwable error) {
      assertThat(error).isInstanceOf(CacheTierException.class);
      tierErrors.add(tier + "/" + operation + "/" + key);
    }

    @Override
    public void keyRepaired(String key) {
      repaired.add(key);
    }

    @Override
    public void namespaceCleared() {
      namespaceClears.incrementAndGet();
    }
  }

  private static <T> T bounded(Supplier<T> call) {
    long start = System.nanoTime();
    T result = call.get();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);
    return result;
  }

  private static void bounded(Runnable call) {
    bounded(
        () -> {
          call.run();
          return null;
        });
  }

  @Test
  void aPutOnNodeAIsReadFromRedisByNodeBOnceItsL1CopyIsInvalidated() {
    AtomicInteger loadsA = new AtomicInteger();
    AtomicInteger loadsB = new AtomicInteger();
    DsCache<String, String> a = cache("a", tier("shared", 100, null), loadsA, null);
    DsCache<String, String> b = cache("b", tier("shared", 100, null), loadsB, null);
    InvalidationNode<String, String> nodeA = track(new InvalidationNode<>("a", a, bus()));
    InvalidationNode<String, String> nodeB = track(new InvalidationNode<>("b", b, bus()));

    a.put("k", "v1");
    nodeA.publishChange("k");
    await().atMost(BOUND).until(() -> nodeB.applied() == 1);
    assertThat(redisGet("shared:k")).isEqualTo("v1");

    // B's L1 misses, Redis answers, the value is promoted into B's L1.
    assertThat(b.get("k")).isEqualTo("v1");
    assertThat(b.getIfPresent("k")).isEqualTo("v1");
    assertThat(b.stats().tierHits()).isEqualTo(1);
    assertThat(loadsB).hasValue(0);

    // A changes it: B serves its L1 copy until the message arrives, then reads the new value.
    a.put("k", "v2");
    nodeA.publishChange("k");
    await().atMost(BOUND).until(() -> b.getIfPresent("k") == null);
    assertThat(b.get("k")).isEqualTo("v2");
    assertThat(b.stats().tierHits()).isEqualTo(2);
    assertThat(loadsB).hasValue(0);
    // The receiver dropped only its own copy: Redis (shared) still holds A's write.
    assertThat(redisGet("shared:k")).isEqualTo("v2");

    // A delete on A removes the key from Redis too; B then loads from the system of record.
    database.put("k", "from-db");
    a.delete("k");
    nodeA.publishChange("k");
    await().atMost(BOUND).until(() -> b.getIfPresent("k") == null);
    assertThat(redisExists("shared:k")).isZero();
    assertThat(b.get("k")).isEqualTo("from-db");
    assertThat(loadsB).hasValue(1);
    assertThat(redisGet("shared:k")).isEqualTo("from-db"); // B's load was promoted
    assertThat(a.stats().tierErrors() + b.stats().tierErrors()).isZero();
  }

  @Test
  void whileRedisIsDownL1ServesMissesLoadAndErrorsAreCountedThenFailedWritesAreRepaired() {
    Events events = new Events();
    AtomicInteger loads = new AtomicInteger();
    RedisTier<String, String> tier = tier("outage", 100, events);
    DsCache<String, String> cache = cache("c", tier, loads, events);

    cache.put("hot", "h1");
    cache.put("stale", "old");
    assertThat(redisGet("outage:stale")).isEqualTo("old");
    admin(RedisCommands::save); // the restarted server will still hold hot=h1 and stale=old
    server.kill();
    await().atMost(BOUND).until(() -> !tier.connected());

    database.put("cold", "loaded");
    assertThat(bounded(() -> cache.get("hot"))).isEqualTo("h1"); // L1 hit, Redis not asked
    assertThat(bounded(() -> cache.get("cold"))).isEqualTo("loaded"); // tier get fails: loader
    bounded(() -> cache.invalidate("stale")); // tier remove fails: remembered
    bounded(() -> cache.put("hot", "h2")); // tier put fails: remembered
    assertThat(bounded(() -> cache.get("hot"))).isEqualTo("h2");

    assertThat(loads).hasValue(1);
    // get(cold) failed, promoting the loaded cold failed, remove(stale), put(hot).
    assertThat(events.tierErrors)
        .containsExactly(
            "redis:outage/get/cold",
            "redis:outage/put/cold",
            "redis:outage/remove/stale",
            "redis:outage/put/hot");
    assertThat(cache.stats().tierErrors()).isEqualTo(4);
    assertThat(tier.errors()).isEqualTo(4);
    // The failed fill of "cold" changed nothing in Redis (SET NX), so only the failed remove and
    // put are remembered for repair.
    assertThat(tier.pendingRepairs()).isEqualTo(2);

    server.restart();
    // Lettuce reconnects by itself; the reconnect triggers the repair of the remembered keys.
    await().atMost(Duration.ofSeconds(10)).until(() -> tier.pendingRepairs() == 0);
    assertThat(tier.connected()).isTrue();
    assertThat(redisExists("outage:stale", "outage:hot", "outage:cold")).isZero();
    assertThat(events.repaired).containsExactlyInAnyOrder("stale", "hot");
    assertThat(tier.repairedKeys()).isEqualTo(2);

    // The tier works again: a miss on another key reads Redis, a put reaches it.
    cache.put("after", "v");
    assertThat(redisGet("outage:after")).isEqualTo("v");
    admin(c -> c.set("outage:remote-only", "r"));
    assertThat(cache.get("remote-only")).isEqualTo("r");
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().tierErrors()).isEqualTo(4);
  }

  @Test
  void tooManyFailedWritesToRememberClearTheWholeNamespaceOnceRedisIsBack() {
    Events events = new Events();
    RedisTier<String, String> tier = tier("overflow", 2, events);
    try (RedisTier<String, String> other = tier("other", 2, null)) {
      for (String k : List.of("a", "b", "c", "d", "e")) {
        tier.put(k, "old-" + k, null);
      }
      other.put("z", "keep", null);
      admin(RedisCommands::save);
      server.kill();
      await().atMost(BOUND).until(() -> !tier.connected());
      for (String k : List.of("a", "b", "c", "d", "e")) {
        long start = System.nanoTime();
        try {
          tier.remove(k);
        } catch (CacheTierException expected) {
          assertThat(expected).hasMessageContaining("remove of key " + k + " failed");
        }
        assertThat(System.nanoTime() - start).isLessThan(BOUND.toNanos());
      }
      assertThat(tier.pendingRepairs()).isEqualTo(2);
      assertThat(tier.namespaceRepairPending()).isTrue();
      assertThat(tier.repairOverflows()).isEqualTo(1);

      server.restart();
      await().atMost(Duration.ofSeconds(10)).until(() -> tier.namespaceRepairs() == 1);
      await().atMost(BOUND).until(() -> tier.pendingRepairs() == 0);
      assertThat(redisKeys("overflow:*")).isEmpty();
      assertThat(redisGet("other:z")).isEqualTo("keep"); // another namespace survives
      assertThat(events.namespaceClears).hasValue(1);
      assertThat(tier.namespaceRepairPending()).isFalse();
    }
  }

  @Test
  void aSubscriberCutOffByAnOutageClearsItsL1AndDetectsTheGapInTheWritersSequence() {
    AtomicInteger loadsB = new AtomicInteger();
    database.put("k1", "v1");
    DsCache<String, String> a = cache("a", null, new AtomicInteger(), null);
    DsCache<String, String> b = cache("b", null, loadsB, null);
    RedisInvalidationBus<String> busA = bus();
    RedisInvalidationBus<String> busB = bus();
    InvalidationNode<String, String> nodeA = track(new InvalidationNode<>("a", a, busA));
    InvalidationNode<String, String> nodeB = track(new InvalidationNode<>("b", b, busB));

    nodeA.publishChange("x"); // sequence 1: B now tracks source "a"
    await().atMost(BOUND).until(() -> nodeB.applied() == 1);
    assertThat(b.get("k1")).isEqualTo("v1");

    server.kill();
    await().atMost(BOUND).until(() -> !busA.connected() && !busB.connected());
    database.put("k1", "v2");
    a.put("k1", "v2");
    long start = System.nanoTime();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> nodeA.publishChange("k1")) // seq 2
        .isInstanceOf(InvalidationPublishException.class)
        .hasMessageContaining("message 2 of node a (key k1) was not published")
        .satisfies(e -> assertThat(((InvalidationPublishException) e).sequence()).isEqualTo(2));
    assertThat(System.nanoTime() - start).isLessThan(BOUND.toNanos());
    assertThat(busA.publishFailures()).isEqualTo(1);
    assertThat(b.getIfPresent("k1")).isEqualTo("v1"); // stale until B hears of it

    server.restart();
    // Resubscribed: B cannot know what it missed, so it clears its L1 at once.
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeB.applied() == 2);
    assertThat(busB.resubscriptions()).isEqualTo(1);
    assertThat(b.getIfPresent("k1")).isNull();
    assertThat(b.get("k1")).isEqualTo("v2");

    // A's next message carries sequence 3 (or more, if publishes failed while A reconnected):
    // B sees the jump from 1 and clears its L1 again.
    b.put("cached-on-b", "x");
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              nodeA.publishChange("other");
              return true;
            });
    await().atMost(BOUND).until(() -> nodeB.gapsDetected() == 1);
    assertThat(b.getIfPresent("cached-on-b")).isNull();
    assertThat(b.getIfPresent("k1")).isNull();
    assertThat(loadsB).hasValue(2);
  }

  @Test
  void aReaderWaitsNoLongerThanTheTimeoutWhenRedisIsUnreachableMidCall() {
    // Kill without waiting for Lettuce to notice: the first calls may be sent into a dead socket.
    Events events = new Events();
    AtomicInteger loads = new AtomicInteger();
    DsCache<String, String> cache = cache("c", tier("midcall", 100, null), loads, events);
    database.put("k", "db");
    server.kill();
    for (int i = 0; i < 20; i++) {
      long start = System.nanoTime();
      cache.invalidate("k");
      assertThat(cache.get("k")).isEqualTo("db");
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }
    assertThat(loads).hasValue(20);
    assertThat(cache.stats().tierErrors()).isEqualTo(60); // remove, get, promote each time
  }
}
