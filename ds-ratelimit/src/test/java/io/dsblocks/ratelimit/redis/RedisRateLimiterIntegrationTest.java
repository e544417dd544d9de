package io.dsblocks.ratelimit.redis;

import static io.dsblocks.ratelimit.redis.RedisTestSupport.commandCalls;
import static io.dsblocks.ratelimit.redis.RedisTestSupport.serverMicros;
import static io.dsblocks.ratelimit.redis.RedisTestSupport.totalCommands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link RedisRateLimiter} against a real redis-server child process. */
@Tag("integration")
class RedisRateLimiterIntegrationTest {

  private static final Duration DAY = Duration.ofDays(1);
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private static RedisServerProcess server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> admin;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServerProcess.start();
    client = RedisClient.create(server.uri());
    admin = client.connect();
    redis = admin.sync();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (client != null) {
      admin.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (server != null) {
      server.close();
    }
  }

  /** A key prefix no other test uses, so tests sharing the server never see each other's state. */
  private static String freshPrefix(TestInfo info) {
    return "t"
        + PREFIXES.incrementAndGet()
        + ":"
        + info.getTestMethod().orElseThrow().getName()
        + ":";
  }

  private static RedisRateLimiterConfig.Builder config(TestInfo info, RedisAlgorithm algorithm) {
    return RedisRateLimiterConfig.builder()
        .algorithm(algorithm)
        .keyPrefix(freshPrefix(info))
        .commandTimeout(Duration.ofSeconds(5));
  }

  private static RedisRateLimiter limiter(RedisRateLimiterConfig config) {
    return RedisRateLimiter.create(admin, config);
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void admitsExactlyTheBurstWhenNothingRefills(RedisAlgorithm algorithm, TestInfo info) {
    // 1 permit per day: no refill during the test, so the expected counts are exact.
    RedisRateLimiter limiter = limiter(config(info, algorithm).limit(1, DAY).burst(10).build());

    int admitted = 0;
    for (int i = 0; i < 15; i++) {
      admitted += limiter.tryAcquire("user-a") ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(10);
    assertThat(limiter.tryAcquire("user-b")).as("keys are independent").isTrue();

    assertThat(limiter.tryAcquire("multi", 4)).isTrue();
    assertThat(limiter.tryAcquire("multi", 4)).isTrue();
    assertThat(limiter.tryAcquire("multi", 4)).as("only 2 left").isFalse();
    assertThat(limiter.tryAcquire("multi", 2)).as("a refusal takes nothing").isTrue();
    assertThat(limiter.tryAcquire("multi", 1)).isFalse();

    assertThat(limiter.nanosUntilAvailable("fresh", 10)).isZero();
    assertThat(limiter.nanosUntilAvailable("multi", 1))
        .isPositive()
        .isLessThanOrEqualTo(DAY.toNanos());
    assertThat(limiter.nanosUntilAvailable("multi", 3))
        .as("three permits need three intervals")
        .isGreaterThan(2 * DAY.toNanos());
    assertThat(limiter.stats().permitted()).isEqualTo(10 + 1 + 3);
    assertThat(limiter.stats().rejected()).isEqualTo(5 + 2);
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void largeDailyQuotasStayExact(RedisAlgorithm algorithm, TestInfo info) {
    // A million per day with a burst of a million: 1e6 * 8.64e10 us would overflow a Lua double's
    // exact range; reducing rate/period by their gcd keeps it exact.
    RedisRateLimiter limiter =
        limiter(config(info, algorithm).limit(1_000_000, DAY).burst(1_000_000).build());
    // Calls first, assertions after: refill is one permit per 86.4 ms, so keep the calls close.
    boolean most = limiter.tryAcquire("quota", 999_999);
    boolean two = limiter.tryAcquire("quota", 2);
    boolean last = limiter.tryAcquire("quota", 1);
    boolean all = limiter.tryAcquire("quota", 1_000_000);
    assertThat(most).isTrue();
    assertThat(two).as("one left, not two").isFalse();
    assertThat(last).isTrue();
    assertThat(all).as("refilling a million takes a day").isFalse();
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void refillsAtTheConfiguredRate(RedisAlgorithm algorithm, TestInfo info) {
    // One permit per second, burst 2. Results are captured first and asserted afterwards, so
    // nothing slow (such as loading assertion classes) runs between the timed calls.
    RedisRateLimiter limiter =
        limiter(config(info, algorithm).limit(1, Duration.ofSeconds(1)).burst(2).build());
    long t0 = serverMicros(redis);
    boolean burst = limiter.tryAcquire("k", 2);
    boolean third = limiter.tryAcquire("k");
    long wait = limiter.nanosUntilAvailable("k", 1);
    assertThat(burst).isTrue();
    assertThat(third).isFalse();
    assertThat(wait).isPositive().isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));

    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> limiter.tryAcquire("k"));
    long elapsedMicros = serverMicros(redis) - t0;
    // The permit came from refill, which takes one interval (minus GCRA's 0.5 us resolution).
    assertThat(elapsedMicros).isGreaterThanOrEqualTo(1_000_000 - 1);
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void keysExpireWhenTheirStateWouldBeFullAgain(RedisAlgorithm algorithm, TestInfo info) {
    // One permit per hour: taking 3 leaves the key "not full" for 3 hours.
    RedisRateLimiterConfig config =
        config(info, algorithm).limit(1, Duration.ofHours(1)).burst(10).build();
    RedisRateLimiter limiter = limiter(config);
    assertThat(limiter.tryAcquire("ttl", 3)).isTrue();
    long pttl = redis.pttl(config.keyPrefix() + "ttl");
    long threeHoursMillis = Duration.ofHours(3).toMillis();
    assertThat(pttl).isBetween(threeHoursMillis - 5_000, threeHoursMillis + 2);

    // A refusal writes nothing: the stored state is byte-for-byte what the last grant left.
    assertThat(limiter.tryAcquire("full", 10)).isTrue();
    byte[] state = redis.dump(config.keyPrefix() + "full");
    assertThat(limiter.tryAcquire("full")).isFalse();
    assertThat(redis.dump(config.keyPrefix() + "full")).isEqualTo(state);
    assertThat(limiter.nanosUntilAvailable("never", 1)).isZero();
    assertThat(redis.exists(config.keyPrefix() + "never")).as("peeking writes nothing").isZero();
  }

  private static long delta(Map<String, Long> before, Map<String, Long> after, String command) {
    return after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L);
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void everyDecisionIsExactlyOneRoundTrip(RedisAlgorithm algorithm, TestInfo info) {
    RedisRateLimiter limiter = limiter(config(info, algorithm).limit(1, DAY).burst(20).build());
    limiter.tryAcquire("warm-up"); // makes sure the script is cached (EVAL after NOSCRIPT once)
    long tripsBefore = limiter.stats().roundTrips();
    Map<String, Long> before = commandCalls(redis);
    long totalBefore = totalCommands(redis);

    int decisions = 0;
    for (int i = 0; i < 40; i++) { // 20 admitted then 20 refused: both cost the same
      limiter.tryAcquire("hot");
      decisions++;
    }
    List<CompletableFuture<Boolean>> async = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      async.add(limiter.tryAcquireAsync("hot-async").toCompletableFuture());
      decisions++;
    }
    async.forEach(CompletableFuture::join);

    long totalAfter = totalCommands(redis);
    Map<String, Long> after = commandCalls(redis);
    assertThat(delta(before, after, "evalsha")).isEqualTo(decisions);
    assertThat(delta(before, after, "eval")).isZero();
    assertThat(delta(before, after, "time")).as("one server clock read each").isEqualTo(decisions);
    // total_commands_processed also counts the commands a script runs inside the server; take
    // those away and what is left is what clients sent: our decisions plus the first INFO.
    long insideScripts = 0;
    for (String inner : List.of("time", "get", "set", "hmget", "hset", "pexpire")) {
      insideScripts += delta(before, after, inner);
    }
    assertThat(totalAfter - totalBefore - insideScripts).isEqualTo(decisions + 1);
    assertThat(limiter.stats().roundTrips() - tripsBefore).isEqualTo(decisions);
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void manyConcurrentClientsAdmitExactlyTheBurstWithoutRefill(
      RedisAlgorithm algorithm, TestInfo info) throws Exception {
    RedisRateLimiterConfig config = config(info, algorithm).limit(1, DAY).burst(600).build();
    long admitted = hammer(config, 4, 8, 250);
    // No refill (1 per day): any race in the script would show up as more than 600.
    assertThat(admitted).isEqualTo(600);
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void manyConcurrentClientsStayWithinTheRefillTolerance(RedisAlgorithm algorithm, TestInfo info)
      throws Exception {
    long rate = 200;
    long burst = 100;
    RedisRateLimiterConfig config =
        config(info, algorithm).limit(rate, Duration.ofSeconds(1)).burst(burst).build();
    long before = serverMicros(redis);
    long admitted = hammer(config, 4, 8, 150);
    long elapsedMicros = serverMicros(redis) - before;

    // Tolerance = what the server clock refilled while the test ran (+1 us for GCRA's resolution).
    long tolerance = (long) Math.floor(rate * (elapsedMicros + 1) / 1_000_000.0);
    assertThat(admitted)
        .as("admitted %d over %d us of server time", admitted, elapsedMicros)
        .isBetween(burst, burst + tolerance);
  }

  /**
   * {@code connections} limiters (one connection each) shared by {@code threads} threads, each
   * calling {@code callsPerThread} times on one key; returns the number admitted.
   */
  private static long hammer(
      RedisRateLimiterConfig config, int connections, int threads, int callsPerThread)
      throws Exception {
    List<StatefulRedisConnection<String, String>> conns = new ArrayList<>();
    List<RedisRateLimiter> limiters = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      StatefulRedisConnection<String, String> c = client.connect();
      conns.add(c);
      limiters.add(RedisRateLimiter.create(c, config));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        RedisRateLimiter limiter = limiters.get(t % connections);
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int mine = 0;
                  for (int i = 0; i < callsPerThread; i++) {
                    mine += limiter.tryAcquire("shared") ? 1 : 0;
                  }
                  return mine;
                }));
      }
      start.countDown();
      long admitted = 0;
      for (Future<Integer> f : results) {
        admitted += f.get(60, TimeUnit.SECONDS);
      }
      long decided =
          limiters.stream().mapToLong(l -> l.stats().permitted() + l.stats().rejected()).sum();
      assertThat(decided).isEqualTo((long) threads * callsPerThread);
      assertThat(limiters.stream().mapToLong(l -> l.stats().redisErrors()).sum()).isZero();
      return admitted;
    } finally {
      pool.shutdownNow();
      conns.forEach(StatefulRedisConnection::close);
    }
  }

  @ParameterizedTest
  @EnumSource(RedisAlgorithm.class)
  void asyncDecisionsMatchSyncOnes(RedisAlgorithm algorithm, TestInfo info) {
    RedisRateLimiter limiter = limiter(config(info, algorithm).limit(1, DAY).burst(5).build());
    List<CompletableFuture<Boolean>> decisions = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      decisions.add(limiter.tryAcquireAsync("a").toCompletableFuture());
    }
    long admitted = decisions.stream().filter(CompletableFuture::join).count();
    assertThat(admitted).isEqualTo(5);
    assertThat(limiter.tryAcquire("a")).isFalse();
  }

  @Test
  void localBatchingTakesPermitsInBatchesAndNeverExceedsTheLimit(TestInfo info) {
    RedisRateLimiterConfig config =
        config(info, RedisAlgorithm.TOKEN_BUCKET)
            .limit(1, DAY)
            .burst(100)
            .localBatchSize(10)
            .ticker(() -> 0L) // time stands still: batches never expire here
            .build();
    RedisRateLimiter limiter = limiter(config);
    Map<String, Long> before = commandCalls(redis);
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.tryAcquire("hot")).as("call %d", i).isTrue();
    }
    assertThat(limiter.tryAcquire("hot")).isFalse();
    Map<String, Long> after = commandCalls(redis);
    long scripts = delta(before, after, "evalsha") + delta(before, after, "eval");
    assertThat(scripts).as("10 batches of 10, then one refused call").isEqualTo(11);
    assertThat(limiter.stats().servedFromLocalBatch()).isEqualTo(90);
    assertThat(limiter.nanosUntilAvailable("hot", 1)).isPositive();
  }

  @Test
  void localBatchingWithConcurrentInstancesStaysWithinTheDocumentedBound(TestInfo info)
      throws Exception {
    int batch = 10;
    int instances = 2;
    RedisRateLimiterConfig config =
        config(info, RedisAlgorithm.GCRA)
            .limit(1, DAY)
            .burst(200)
            .localBatchSize(batch)
            .ticker(() -> 0L)
            .build();
    long admitted = hammer(config, instances, 8, 100);
    // Every permit served was granted by Redis (<= 200); permits left in an instance's batch when
    // its threads stop are lost (at most batch - 1 per instance).
    assertThat(admitted).isBetween(200L - (long) instances * (batch - 1), 200L);
  }

  @Test
  void batchedPermitsExpireAfterTheirMaxAge(TestInfo info) {
    AtomicLong now = new AtomicLong();
    RedisRateLimiterConfig config =
        config(info, RedisAlgorithm.TOKEN_BUCKET)
            .limit(1, DAY)
            .burst(100)
            .localBatchSize(10)
            .localBatchMaxAge(Duration.ofSeconds(1))
            .ticker(now::get)
            .build();
    RedisRateLimiter limiter = limiter(config);
    assertThat(limiter.tryAcquire("k")).isTrue();
    assertThat(limiter.tryAcquire("k")).isTrue();
    assertThat(limiter.stats().roundTrips()).isEqualTo(1);
    assertThat(limiter.nanosUntilAvailable("k", 8)).as("8 held locally").isZero();
    assertThat(limiter.stats().roundTrips()).isEqualTo(1);

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(limiter.tryAcquire("k")).isTrue();
    assertThat(limiter.stats().roundTrips()).as("expired batch: back to Redis").isEqualTo(2);

    // Redis granted 2 batches of 10; the 8 expired permits are gone (the strict side).
    RedisRateLimiter unbatched = limiter(config.toBuilder().localBatchSize(1).build());
    int left = 0;
    while (unbatched.tryAcquire("k")) {
      left++;
    }
    assertThat(left).isEqualTo(80);
  }

  @Test
  void listenersSeeEveryDecisionUntilRemoved(TestInfo info) {
    RedisRateLimiter limiter =
        limiter(config(info, RedisAlgorithm.GCRA).limit(1, DAY).burst(2).build());
    AtomicInteger permitted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    RedisRateLimiterListener listener =
        new RedisRateLimiterListener() {
          @Override
          public void onDecision(String key, long permits, boolean ok) {
            assertThat(key).isEqualTo("l");
            (ok ? permitted : refused).incrementAndGet();
          }
        };
    limiter.addListener(listener);
    limiter.addListener(
        new RedisRateLimiterListener() {
          @Override
          public void onDecision(String key, long permits, boolean ok) {
            throw new IllegalStateException("a broken listener must not break decisions");
          }
        });
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("l");
    }
    assertThat(permitted).hasValue(2);
    assertThat(refused).hasValue(1);
    limiter.removeListener(listener);
    limiter.tryAcquire("l");
    assertThat(refused).hasValue(1);
    assertThat(limiter.stats().rejected()).isEqualTo(2);
  }

  @Test
  void badInputIsRejectedAtTheBoundary(TestInfo info) {
    RedisRateLimiter limiter =
        limiter(config(info, RedisAlgorithm.TOKEN_BUCKET).limit(10, Duration.ofSeconds(1)).build());
    assertThatThrownBy(() -> limiter.tryAcquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    for (long bad : new long[] {0, -1, 11, Long.MAX_VALUE}) {
      assertThatThrownBy(() -> limiter.tryAcquire("k", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("permits must be in [1, 10] (at most burst) but was " + bad);
      assertThatThrownBy(() -> limiter.tryAcquireAsync("k", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("permits");
      assertThatThrownBy(() -> limiter.nanosUntilAvailable("k", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("permits");
    }
    assertThat(limiter.stats().roundTrips()).as("bad input never reaches Redis").isZero();
    assertThatThrownBy(
            () ->
                RedisRateLimiter.create(
                    (StatefulRedisConnection<String, String>) null, limiter.config()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("connection");

    limiter.close();
    limiter.close(); // idempotent
    assertThat(admin.isOpen()).as("a caller's connection stays open").isTrue();
    assertThatThrownBy(() -> limiter.tryAcquire("k"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void ownedClientIsClosedWithTheLimiter(TestInfo info) {
    Set<String> before = clientIds();
    RedisRateLimiter limiter =
        RedisRateLimiter.create(
            server.uri(),
            config(info, RedisAlgorithm.GCRA).limit(5, Duration.ofSeconds(1)).build());
    assertThat(limiter.tryAcquire("own")).isTrue();
    Set<String> ours = clientIds();
    ours.removeAll(before);
    assertThat(ours).as("the limiter's own connection").hasSize(1);
    limiter.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !clientIds().containsAll(ours));
  }

  /** Ids of the connections the server has open ({@code CLIENT LIST}). */
  private static Set<String> clientIds() {
    Set<String> ids = new HashSet<>();
    for (String line : redis.clientList().split("\r?\n")) {
      if (line.startsWith("id=")) {
        ids.add(line.substring(3, line.indexOf(' ')));
      }
    }
    return ids;
  }
}
