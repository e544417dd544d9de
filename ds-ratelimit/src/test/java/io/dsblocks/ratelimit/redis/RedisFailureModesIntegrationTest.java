package io.dsblocks.ratelimit.redis;

import static io.dsblocks.ratelimit.redis.RedisTestSupport.commandCalls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dsblocks.ratelimit.KeyedRateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Redis dies mid-test (SIGKILL) and comes back empty on the same port: decisions follow the failure
 * mode while it is gone, and once it is back the client reconnects, the script is re-sent after
 * {@code NOSCRIPT}, and a decision costs one round trip again.
 */
@Tag("integration")
class RedisFailureModesIntegrationTest {

  private static RedisServerProcess server;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void redisIsUp() {
    // A failed test may have left the server dead; later tests start from a running one.
    if (!server.ping()) {
      server.restart();
    }
  }

  private static RedisRateLimiterConfig.Builder config(FailureMode mode) {
    RedisRateLimiterConfig.Builder b =
        RedisRateLimiterConfig.builder()
            .limit(1, Duration.ofDays(1)) // no refill during the test: exact expectations
            .burst(10)
            .keyPrefix("fm:" + mode + ":")
            .commandTimeout(Duration.ofMillis(300));
    return mode == FailureMode.FALLBACK_LOCAL ? b.fallbackFraction(0.5) : b.failureMode(mode);
  }

  /** Records errors and reloads reported to listeners. */
  private static final class Recorder implements RedisRateLimiterListener {
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<FailureMode> modes = new CopyOnWriteArrayList<>();
    final AtomicInteger reloads = new AtomicInteger();

    @Override
    public void onRedisError(String key, Throwable error, FailureMode mode, boolean permitted) {
      errors.add(error);
      modes.add(mode);
    }

    @Override
    public void onScriptReloaded() {
      reloads.incrementAndGet();
    }
  }

  @ParameterizedTest
  @EnumSource(FailureMode.class)
  void outageIsDecidedByTheFailureModeAndRecoveryReloadsTheScript(FailureMode mode)
      throws Exception {
    try (RedisRateLimiter limiter = RedisRateLimiter.create(server.uri(), config(mode).build())) {
      Recorder recorder = new Recorder();
      limiter.addListener(recorder);
      assertThat(limiter.tryAcquire("before")).isTrue();
      assertThat(limiter.stats().redisErrors()).isZero();
      long reloadsBefore = limiter.stats().scriptReloads();

      server.kill();
      int admitted = 0;
      for (int i = 0; i < 10; i++) {
        admitted += limiter.tryAcquire("during") ? 1 : 0;
      }
      int expected =
          switch (mode) {
            case FAIL_OPEN -> 10;
            case FAIL_CLOSED -> 0;
            case FALLBACK_LOCAL -> 5; // half the burst of 10, locally
          };
      assertThat(admitted).isEqualTo(expected);
      assertThat(limiter.stats().failureModeDecisions()).isEqualTo(10);
      assertThat(limiter.stats().redisErrors()).isEqualTo(10);
      assertThat(recorder.errors).hasSize(10);
      assertThat(recorder.modes).containsOnly(mode);
      long expectedWait =
          switch (mode) {
            case FAIL_OPEN -> 0;
            case FAIL_CLOSED -> Duration.ofDays(1).toNanos(); // one interval at the Redis rate
            case FALLBACK_LOCAL -> Duration.ofDays(2).toNanos(); // one interval at half the rate
          };
      // The fallback limiter's clock moved on a little since its permits were taken.
      assertThat(limiter.nanosUntilAvailable("during", 1))
          .isBetween(expectedWait - Duration.ofMinutes(1).toNanos(), expectedWait);

      server.restart();
      assertRecovered(limiter, recorder, reloadsBefore, true);
    }
  }

  @Test
  void userConnectionThatQueuesWhileDisconnectedTimesOutIntoTheFailureMode() throws Exception {
    // Lettuce's default client options buffer commands while reconnecting: the limiter must not
    // wait longer than its command timeout.
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect();
        RedisRateLimiter limiter =
            RedisRateLimiter.create(connection, config(FailureMode.FAIL_CLOSED).build())) {
      Recorder recorder = new Recorder();
      limiter.addListener(recorder);
      assertThat(limiter.tryAcquire("u")).isTrue();
      long reloadsBefore = limiter.stats().scriptReloads();

      server.kill();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> !connection.isOpen());
      long start = System.nanoTime();
      assertThat(limiter.tryAcquire("u")).isFalse();
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(tookMillis).as("bounded by the 300 ms command timeout").isBetween(250L, 5_000L);
      assertThat(recorder.errors).hasSize(1);
      assertThat(recorder.errors.get(0)).isInstanceOf(RedisCommandTimeoutException.class);
      assertThat(limiter.tryAcquireAsync("u").toCompletableFuture().get()).isFalse();
      assertThat(recorder.errors).hasSize(2);

      server.restart();
      assertRecovered(limiter, recorder, reloadsBefore, false);
      assertThat(connection.isOpen()).isTrue();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void aCustomFallbackLimiterDecidesDuringTheOutage() {
    List<String> asked = new CopyOnWriteArrayList<>();
    KeyedRateLimiter<String> everyOther =
        new KeyedRateLimiter<>() {
          @Override
          public boolean tryAcquire(String key, long permits) {
            asked.add(key);
            return asked.size() % 2 == 1;
          }

          @Override
          public long nanosUntilAvailable(String key, long permits) {
            return 42;
          }
        };
    RedisRateLimiterConfig config =
        config(FailureMode.FALLBACK_LOCAL).fallbackLimiter(c -> everyOther).build();
    try (RedisRateLimiter limiter = RedisRateLimiter.create(server.uri(), config)) {
      assertThat(limiter.tryAcquire("x")).isTrue();
      assertThat(asked).as("not consulted while Redis answers").isEmpty();
      server.kill();
      boolean first = limiter.tryAcquire("x");
      boolean second = limiter.tryAcquire("y");
      assertThat(first).isTrue();
      assertThat(second).isFalse();
      assertThat(asked).containsExactly("x", "y");
      assertThat(limiter.nanosUntilAvailable("x", 1)).isEqualTo(42);
    }
  }

  /** Waits until Redis decides again, then checks the reload and the one-round-trip cost. */
  private static void assertRecovered(
      RedisRateLimiter limiter, Recorder recorder, long reloadsBefore, boolean nothingQueued) {
    await("limiter decides through Redis again")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              long failuresBefore = limiter.stats().failureModeDecisions();
              limiter.tryAcquire("probe");
              return limiter.stats().failureModeDecisions() == failuresBefore;
            });
    // The restarted server's script cache was empty: NOSCRIPT, then EVAL. Exactly once when no
    // command was queued during the outage; a queued one may race the first reload.
    long reloads = limiter.stats().scriptReloads() - reloadsBefore;
    assertThat(reloads).isGreaterThanOrEqualTo(1);
    if (nothingQueued) {
      assertThat(reloads).isEqualTo(1);
    }
    assertThat(recorder.reloads).hasValue((int) limiter.stats().scriptReloads());

    RedisClient admin = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      RedisCommands<String, String> redis = c.sync();
      long before = commandCalls(redis, "evalsha");
      int admitted = 0;
      for (int i = 0; i < 12; i++) {
        admitted += limiter.tryAcquire("after") ? 1 : 0;
      }
      assertThat(admitted).as("fresh server, fresh bucket").isEqualTo(10);
      assertThat(commandCalls(redis, "evalsha") - before).isEqualTo(12);
      assertThat(commandCalls(redis, "eval")).as("only the reloads").isEqualTo(reloads);
    } finally {
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
