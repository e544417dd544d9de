package io.dsblocks.cache.redis;

import static io.dsblocks.cache.redis.RedisTestSupport.commandsDuring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Codec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link RedisTier} against a real redis-server: commands, namespaces, TTLs, timeouts. */
@Tag("integration")
class RedisTierIntegrationTest {
  private static RedisServerProcess server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> adminConnection;
  private static RedisCommands<String, String> admin;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServerProcess.start();
    client = RedisClient.create(server.uri());
    adminConnection = client.connect();
    admin = adminConnection.sync();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void emptyDatabase() {
    admin.flushall();
  }

  private RedisTier<String, String> tier;

  @AfterEach
  void closeTier() {
    if (tier != null) {
      tier.close();
    }
  }

  private static RedisTier<String, String> strings(String namespace) {
    return RedisTier.strings(client, namespace);
  }

  @Test
  void getPutRemoveStoreOneRedisStringPerEntryUnderTheNamespace() {
    tier = strings("users");
    assertThat(tier.name()).isEqualTo("redis:users");
    assertThat(tier.shared()).isTrue();
    assertThat(tier.connected()).isTrue();
    assertThat(tier.get("alice")).isNull();
    tier.put("alice", "A1", null);
    assertThat(admin.get("users:alice")).isEqualTo("A1");
    assertThat(tier.get("alice")).isEqualTo("A1");
    tier.put("alice", "A2", null);
    assertThat(tier.get("alice")).isEqualTo("A2");
    tier.remove("alice");
    assertThat(admin.exists("users:alice")).isZero();
    assertThat(tier.get("alice")).isNull();
    tier.remove("never-there"); // not an error
    assertThat(tier.errors()).isZero();
  }

  @Test
  void putIfAbsentNeverReplacesAValueAndKeepsTheTtl() {
    tier = strings("fill");
    tier.put("k", "newer", null);
    tier.putIfAbsent("k", "older", Duration.ofSeconds(30));
    assertThat(admin.get("fill:k")).isEqualTo("newer");
    assertThat(admin.pttl("fill:k")).isEqualTo(-1L);
    tier.putIfAbsent("absent", "v", Duration.ofSeconds(30));
    assertThat(admin.get("fill:absent")).isEqualTo("v");
    assertThat(admin.pttl("fill:absent")).isBetween(25_000L, 30_000L);
    assertThat(commandsDuring(admin, () -> tier.putIfAbsent("x", "y", null))).isEqualTo(1);
  }

  @Test
  void eachOperationIsOneRedisCommand() {
    tier = strings("count");
    tier.put("warm", "up", null); // the connection is open and warm
    assertThat(commandsDuring(admin, () -> tier.get("k"))).isEqualTo(1);
    assertThat(commandsDuring(admin, () -> tier.put("k", "v", null))).isEqualTo(1);
    assertThat(commandsDuring(admin, () -> tier.put("k", "v", Duration.ofSeconds(5)))).isEqualTo(1);
    assertThat(commandsDuring(admin, () -> assertThat(tier.get("k")).isEqualTo("v"))).isEqualTo(1);
    assertThat(commandsDuring(admin, () -> tier.remove("k"))).isEqualTo(1);
  }

  @Test
  void aTtlBecomesSetPxAndMaxTtlCapsEveryEntry() {
    tier = strings("ttl");
    tier.put("short", "v", Duration.ofSeconds(30));
    assertThat(admin.pttl("ttl:short")).isBetween(25_000L, 30_000L);
    tier.put("sub-ms", "v", Duration.ofNanos(1_500_000)); // rounds up, never "no TTL"
    assertThat(admin.pttl("ttl:sub-ms")).isIn(-2L, 0L, 1L, 2L);
    tier.put("forever", "v", null);
    assertThat(admin.pttl("ttl:forever")).isEqualTo(-1L);
    assertThatThrownBy(() -> tier.put("k", "v", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl must be positive");
    tier.close();

    tier =
        RedisTier.<String, String>builder()
            .client(client)
            .namespace("capped")
            .keyCodec(Codec.utf8())
            .valueCodec(Codec.utf8())
            .maxTtl(Duration.ofSeconds(10))
            .build();
    tier.put("none", "v", null);
    tier.put("long", "v", Duration.ofHours(1));
    tier.put("short", "v", Duration.ofSeconds(5));
    assertThat(admin.pttl("capped:none")).isBetween(8_000L, 10_000L);
    assertThat(admin.pttl("capped:long")).isBetween(8_000L, 10_000L);
    assertThat(admin.pttl("capped:short")).isBetween(3_000L, 5_000L);
  }

  @Test
  void clearDeletesOnlyItsOwnNamespaceInBatches() {
    tier =
        RedisTier.<String, String>builder()
            .client(client)
            .namespace("cacheA")
            .keyCodec(Codec.utf8())
            .valueCodec(Codec.utf8())
            .scanBatchSize(100)
            .build();
    try (RedisTier<String, String> b = strings("cacheB");
        RedisTier<String, String> glob = strings("cache*")) {
      for (int i = 0; i < 1_200; i++) { // several SCAN pages and UNLINK batches
        tier.put("k" + i, "a" + i, null);
      }
      b.put("k1", "b1", null);
      glob.put("k1", "g1", null);
      admin.set("cacheAx:1", "similar prefix, other namespace");
      admin.set("cacheA", "the bare namespace name");

      tier.clear();
      assertThat(admin.keys("cacheA:*")).isEmpty();
      assertThat(b.get("k1")).isEqualTo("b1");
      assertThat(glob.get("k1")).isEqualTo("g1");
      assertThat(admin.get("cacheAx:1")).isNotNull();
      assertThat(admin.get("cacheA")).isNotNull();

      // "cache*" is a glob pattern character: its clear must not match cacheA or cacheB.
      glob.clear();
      assertThat(admin.exists("cache*:k1")).isZero();
      assertThat(b.get("k1")).isEqualTo("b1");
      assertThat(admin.dbsize()).isEqualTo(3);
    }
  }

  @Test
  void awkwardKeysAndBinaryValuesRoundTrip() {
    Codec<byte[]> identity =
        new Codec<>() {
          @Override
          public byte[] encode(byte[] value) {
            return value;
          }

          @Override
          public byte[] decode(byte[] bytes) {
            return bytes;
          }
        };
    try (RedisTier<String, byte[]> binary =
        RedisTier.<String, byte[]>builder()
            .client(client)
            .namespace("bin")
            .keyCodec(Codec.utf8())
            .valueCodec(identity)
            .build()) {
      byte[] value = new byte[1024];
      for (int i = 0; i < value.length; i++) {
        value[i] = (byte) (i * 31);
      }
      List<String> keys =
          List.of("", ":", "a:b", "new\nline", "nul\u0000", "*?[]\\", "🙂", "x".repeat(5000));
      for (String key : keys) {
        binary.put(key, value, null);
      }
      for (String key : keys) {
        assertThat(binary.get(key)).as("key %s", key).isEqualTo(value);
      }
      try (StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE)) {
        assertThat(raw.sync().get("bin:nul\u0000".getBytes(StandardCharsets.UTF_8)))
            .isEqualTo(value);
      }
    }
  }

  @Test
  void aValueTheCodecCannotDecodeIsATierError() {
    Codec<Integer> ints =
        new Codec<>() {
          @Override
          public byte[] encode(Integer value) {
            return value.toString().getBytes(StandardCharsets.UTF_8);
          }

          @Override
          public Integer decode(byte[] bytes) {
            return Integer.valueOf(new String(bytes, StandardCharsets.UTF_8));
          }
        };
    try (RedisTier<String, Integer> numbers =
        RedisTier.<String, Integer>builder()
            .client(client)
            .namespace("num")
            .keyCodec(Codec.utf8())
            .valueCodec(ints)
            .build()) {
      admin.set("num:bad", "not a number");
      assertThatThrownBy(() -> numbers.get("bad"))
          .isInstanceOf(CacheTierException.class)
          .hasMessageContaining("cannot decode the value of key bad")
          .hasCauseInstanceOf(NumberFormatException.class);
      assertThat(numbers.errors()).isEqualTo(1);
    }
  }

  @Test
  void aStalledRedisFailsTheCallerAfterTheCommandTimeout() {
    tier =
        RedisTier.<String, String>builder()
            .client(client)
            .namespace("slow")
            .keyCodec(Codec.utf8())
            .valueCodec(Codec.utf8())
            .commandTimeout(Duration.ofMillis(100))
            .build();
    tier.put("k", "v", null);
    admin.clientPause(1_000); // every client's commands wait 1 s: a stalled server
    long start = System.nanoTime();
    // Had the call waited for the pause to end, it would have returned "v" instead of throwing.
    assertThatThrownBy(() -> tier.get("k"))
        .isInstanceOf(CacheTierException.class)
        .hasMessageContaining("get of key k failed: no reply within 100 ms");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(tookMs).isBetween(90L, 900L);
    assertThat(tier.errors()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> "v".equals(tier.get("k")));
  }

  @Test
  void aClosedTierFailsAndACallerClientIsLeftOpen() {
    tier = strings("closing");
    tier.put("k", "v", null);
    tier.close();
    tier.close(); // idempotent
    assertThat(tier.connected()).isFalse();
    assertThatThrownBy(() -> tier.get("k"))
        .isInstanceOf(CacheTierException.class)
        .hasMessageContaining("closed");
    assertThat(admin.get("closing:k")).isEqualTo("v"); // the caller's client still works
    tier = null;
  }

  @Test
  void aTierOwningItsClientConnectsFromAUri() {
    tier =
        RedisTier.<String, String>builder()
            .uri(server.uri())
            .namespace("owned")
            .keyCodec(Codec.utf8())
            .valueCodec(Codec.utf8())
            .build();
    tier.put("k", "v", null);
    assertThat(admin.get("owned:k")).isEqualTo("v");
  }

  @Test
  void aClientAndAUriTogetherAreRejected() {
    assertThatThrownBy(
            () ->
                RedisTier.<String, String>builder()
                    .client(client)
                    .uri(server.uri())
                    .namespace("ns")
                    .keyCodec(Codec.utf8())
                    .valueCodec(Codec.utf8())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("set exactly one of client(...) and uri(...) but both were set");
    assertThatThrownBy(
            () ->
                RedisInvalidationBus.<String>builder()
                    .client(client)
                    .uri(server.uri())
                    .channel("c")
                    .keyCodec(Codec.utf8())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both were set");
  }

  @Test
  void buildingAgainstNoRedisFailsQuicklyWithAClearError() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                RedisTier.<String, String>builder()
                    .uri("redis://127.0.0.1:1")
                    .namespace("nowhere")
                    .keyCodec(Codec.utf8())
                    .valueCodec(Codec.utf8())
                    .build())
        .isInstanceOf(CacheTierException.class)
        .hasMessageContaining("cannot connect to Redis");
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void concurrentCallersNeverSeeAnotherKeysValue() throws Exception {
    tier = strings("stress");
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(
            pool.submit(
                () -> {
                  Random random = new Random(42 + id);
                  int reads = 0;
                  start.await();
                  for (int i = 0; i < 400; i++) {
                    String key = "k" + random.nextInt(16);
                    switch (random.nextInt(3)) {
                      case 0 -> tier.put(key, key + "|" + id + "|" + i, null);
                      case 1 -> tier.remove(key);
                      default -> {
                        String v = tier.get(key);
                        // One connection, many threads: replies must never be crossed.
                        assertThat(v == null || v.startsWith(key + "|")).as(v).isTrue();
                        reads++;
                      }
                    }
                  }
                  return reads;
                }));
      }
      start.countDown();
      int reads = 0;
      for (Future<Integer> w : workers) {
        reads += w.get(30, TimeUnit.SECONDS);
      }
      assertThat(reads).isPositive();
      assertThat(tier.errors()).isZero();
      for (int k = 0; k < 16; k++) {
        tier.put("k" + k, "final" + k, null);
        assertThat(tier.get("k" + k)).isEqualTo("final" + k);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
