package io.dsblocks.ratelimit.redis;

import io.dsblocks.ratelimit.KeyedRateLimiter;
import io.dsblocks.ratelimit.RateLimiterConfig;
import io.dsblocks.ratelimit.RateLimiters;
import io.dsblocks.ratelimit.internal.redis.LocalPermitBatches;
import io.dsblocks.ratelimit.internal.redis.LuaScript;
import io.dsblocks.ratelimit.internal.redis.ScriptRunner;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A per-key rate limit shared by every process that talks to the same Redis: each decision is one
 * atomic Lua script on the server ({@code EVALSHA}, one network round trip, no {@code WATCH}/CAS
 * retry loop), timed by the server's own clock so client clocks never matter.
 *
 * <pre>{@code
 * RedisRateLimiterConfig config = RedisRateLimiterConfig.builder()
 *     .limit(100, Duration.ofSeconds(1))   // 100 permits per second per key
 *     .burst(200)
 *     .keyPrefix("api:rl:")
 *     .fallbackFraction(0.25)              // Redis down: 25 per second per instance
 *     .build();
 * try (RedisRateLimiter limiter = RedisRateLimiter.create("redis://localhost:6379", config)) {
 *   if (!limiter.tryAcquire(apiKey)) {
 *     // answer 429
 *   }
 * }
 * }</pre>
 *
 * <p><b>Keys.</b> The Redis key is {@code keyPrefix + key}. Each write sets a TTL equal to the time
 * until the key's state equals a fresh key's (bucket full again), so idle keys vanish.
 *
 * <p><b>Failures.</b> When Redis does not answer within {@link
 * RedisRateLimiterConfig#commandTimeout()} or the call fails, the {@link FailureMode} decides, the
 * error is counted in {@link #stats()} and reported to listeners. After a Redis restart the script
 * cache is empty: the first call gets {@code NOSCRIPT}, re-sends the script with {@code EVAL} (one
 * extra round trip, once) and carries on.
 *
 * <p><b>Local batching</b> ({@link RedisRateLimiterConfig.Builder#localBatchSize(int)} {@code = b >
 * 1}): a call that finds no local permits takes up to {@code b} permits from Redis at once (fewer
 * if fewer are available; never fewer than requested) and later calls for that key are served from
 * memory until the batch is used up or {@link RedisRateLimiterConfig#localBatchMaxAge()} passes.
 * Trade-off: every permit served was granted by Redis, so the total admitted never exceeds the
 * limit; but permits are served up to {@code maxAge} after Redis granted them, so over any interval
 * the admitted count can exceed the limit by up to {@code (b - 1)} per instance, and permits held
 * by one instance are unavailable to others (expired ones are lost: under-admission).
 *
 * <p>Instances are thread-safe; one instance (one connection) serves all threads, as Lettuce
 * pipelines their commands.
 */
public final class RedisRateLimiter implements KeyedRateLimiter<String>, AutoCloseable {

  private static final RedisRateLimiterListener[] NO_LISTENERS = {};
  private static final CompletionStage<Boolean> PERMITTED = CompletableFuture.completedStage(true);
  private static final String[] MIN_MAX_CACHE = {"0", "1", "2", "3", "4", "5", "6", "7", "8"};

  private final RedisRateLimiterConfig config;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisClient ownedClient;
  private final ScriptRunner runner;
  private final String rateArg;
  private final String periodArg;
  private final String burstArg;
  private final long timeoutNanos;
  private final LocalPermitBatches batches;
  private final KeyedRateLimiter<String> fallback;
  private final long fallbackBurst;

  private final LongAdder permitted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder roundTrips = new LongAdder();
  private final LongAdder redisErrors = new LongAdder();
  private final LongAdder scriptReloads = new LongAdder();
  private final LongAdder failureModeDecisions = new LongAdder();
  private final LongAdder servedFromBatch = new LongAdder();

  private volatile RedisRateLimiterListener[] listeners = NO_LISTENERS;
  private volatile boolean closed;

  private RedisRateLimiter(
      StatefulRedisConnection<String, String> connection,
      RedisClient ownedClient,
      RedisRateLimiterConfig config) {
    this.config = config;
    this.connection = connection;
    this.ownedClient = ownedClient;
    LuaScript script =
        config.algorithm() == RedisAlgorithm.GCRA ? LuaScript.GCRA : LuaScript.TOKEN_BUCKET;
    this.runner = new ScriptRunner(connection.async(), script, this::scriptReloaded);
    this.rateArg = Long.toString(config.scriptRate());
    this.periodArg = Long.toString(config.scriptPeriodMicros());
    this.burstArg = Long.toString(config.burst());
    this.timeoutNanos = config.commandTimeout().toNanos();
    this.batches =
        config.localBatchSize() > 1
            ? new LocalPermitBatches(
                config.maxLocalBatchKeys(), config.localBatchMaxAge().toNanos(), config.ticker())
            : null;
    this.fallbackBurst = Math.max(1, (long) Math.floor(config.burst() * config.fallbackFraction()));
    this.fallback = config.failureMode() == FailureMode.FALLBACK_LOCAL ? createFallback() : null;
  }

  private KeyedRateLimiter<String> createFallback() {
    if (config.fallbackFactory() != null) {
      return Objects.requireNonNull(
          config.fallbackFactory().apply(config), "fallbackLimiter factory returned null");
    }
    // "fraction of the rate" as one permit per (interval / fraction): exact for any fraction,
    // where scaling an integer rate would round. GCRA: one atomic word per key, lock-free.
    long interval =
        Math.max(1, (long) Math.ceil(config.intervalNanos() / config.fallbackFraction()));
    return RateLimiters.keyed(
        RateLimiterConfig.builder()
            .name(config.name() + "-fallback")
            .algorithm(RateLimiterConfig.Algorithm.GCRA)
            .limit(1, Duration.ofNanos(interval))
            .burst(fallbackBurst)
            .ticker(config.ticker())
            .build());
  }

  /**
   * Creates a limiter on a connection you own. {@link #close()} will not close it. Its client
   * options decide what happens while it is disconnected: with Lettuce's default (queue commands
   * until reconnected) decisions wait for the command timeout and then the failure mode applies;
   * with {@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS} they fail at once.
   *
   * @param connection a connection with {@code String} keys and values (e.g. {@code
   *     client.connect()}), shareable with the rest of your application
   * @param config the configuration
   * @return the limiter
   */
  public static RedisRateLimiter create(
      StatefulRedisConnection<String, String> connection, RedisRateLimiterConfig config) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(config, "config");
    return new RedisRateLimiter(connection, null, config);
  }

  /**
   * Creates a limiter with its own Lettuce client and connection, closed by {@link #close()}. The
   * client reconnects automatically and rejects commands while disconnected, so an outage is
   * handled by the failure mode without waiting for the timeout.
   *
   * @param redisUri e.g. {@code redis://localhost:6379}
   * @param config the configuration
   * @return the limiter
   * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached now
   */
  public static RedisRateLimiter create(String redisUri, RedisRateLimiterConfig config) {
    Objects.requireNonNull(redisUri, "redisUri");
    return create(RedisURI.create(redisUri), config);
  }

  /**
   * Creates a limiter with its own Lettuce client and connection, closed by {@link #close()}.
   *
   * @param redisUri where Redis is
   * @param config the configuration
   * @return the limiter
   * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached now
   * @see #create(String, RedisRateLimiterConfig)
   */
  public static RedisRateLimiter create(RedisURI redisUri, RedisRateLimiterConfig config) {
    Objects.requireNonNull(redisUri, "redisUri");
    Objects.requireNonNull(config, "config");
    RedisClient client = RedisClient.create(redisUri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // Fail fast while disconnected so the failure mode answers at once instead of after
            // the timeout, and commands do not pile up in memory during a long outage.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
            .build());
    try {
      return new RedisRateLimiter(client.connect(), client, config);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw e;
    }
  }

  /**
   * Takes {@code permits} for {@code key} if Redis (or a local batch) has them, waiting at most the
   * command timeout for Redis.
   *
   * @param key the key (the Redis key is the prefix plus this), not null
   * @param permits number of permits, in {@code [1, burst]}
   * @return whether the permits were granted
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code permits} is out of range
   * @throws IllegalStateException if the limiter is closed
   */
  @Override
  public boolean tryAcquire(String key, long permits) {
    check(key, permits);
    String redisKey = config.keyPrefix() + key;
    long now = 0;
    long max = permits;
    if (batches != null && permits <= config.localBatchSize()) {
      now = config.ticker().read();
      if (batches.tryTake(redisKey, permits, now)) {
        servedFromBatch.increment();
        return decided(key, permits, true);
      }
      max = config.localBatchSize();
    }
    CompletableFuture<List<Object>> reply = send(redisKey, permits, max, false);
    try {
      return granted(key, redisKey, permits, reply.get(timeoutNanos, TimeUnit.NANOSECONDS), now);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.cancel(false);
      return failed(key, permits, e);
    } catch (ExecutionException e) {
      return failed(key, permits, ScriptRunner.unwrap(e));
    } catch (TimeoutException e) {
      reply.cancel(false);
      return failed(key, permits, timeout());
    }
  }

  /**
   * Takes one permit for {@code key}; see {@link #tryAcquire(String, long)}.
   *
   * @param key the key, not null
   * @return whether the permit was granted
   */
  @Override
  public boolean tryAcquire(String key) {
    return tryAcquire(key, 1);
  }

  /**
   * Asynchronous {@link #tryAcquire(String, long)}: never blocks the caller. The stage completes on
   * a Lettuce I/O thread (or at once when served from a local batch) with the decision; it never
   * completes exceptionally because Redis failures are decided by the failure mode.
   *
   * @param key the key, not null
   * @param permits number of permits, in {@code [1, burst]}
   * @return the decision
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if {@code permits} is out of range
   * @throws IllegalStateException if the limiter is closed
   */
  public CompletionStage<Boolean> tryAcquireAsync(String key, long permits) {
    check(key, permits);
    String redisKey = config.keyPrefix() + key;
    long max = permits;
    long now = 0;
    if (batches != null && permits <= config.localBatchSize()) {
      now = config.ticker().read();
      if (batches.tryTake(redisKey, permits, now)) {
        servedFromBatch.increment();
        decided(key, permits, true);
        return PERMITTED;
      }
      max = config.localBatchSize();
    }
    long grantTime = now;
    return send(redisKey, permits, max, false)
        // Timer of the JDK's CompletableFuture delayer; Lettuce's own timeout may fire first.
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .handle(
            (reply, error) ->
                error == null
                    ? granted(key, redisKey, permits, reply, grantTime)
                    : failed(key, permits, asTimeout(ScriptRunner.unwrap(error))));
  }

  /**
   * Asynchronous {@link #tryAcquire(String)}.
   *
   * @param key the key, not null
   * @return the decision
   */
  public CompletionStage<Boolean> tryAcquireAsync(String key) {
    return tryAcquireAsync(key, 1);
  }

  /**
   * Returns how long until {@code permits} would be available for {@code key}, without taking any.
   * Costs one round trip unless a local batch holds them. When Redis fails: {@code 0} in {@link
   * FailureMode#FAIL_OPEN}, {@code permits * period / rate} in {@link FailureMode#FAIL_CLOSED}, the
   * fallback limiter's answer in {@link FailureMode#FALLBACK_LOCAL}.
   *
   * @param key the key, not null
   * @param permits number of permits, in {@code [1, burst]}
   * @return {@code 0} if available now, otherwise nanoseconds to wait
   */
  @Override
  public long nanosUntilAvailable(String key, long permits) {
    check(key, permits);
    String redisKey = config.keyPrefix() + key;
    if (batches != null && batches.available(redisKey, config.ticker().read()) >= permits) {
      return 0;
    }
    CompletableFuture<List<Object>> reply = send(redisKey, permits, permits, true);
    Throwable error;
    try {
      long waitMicros = ((Number) reply.get(timeoutNanos, TimeUnit.NANOSECONDS).get(2)).longValue();
      return Math.multiplyExact(waitMicros, 1_000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = e;
    } catch (ExecutionException e) {
      error = ScriptRunner.unwrap(e);
    } catch (TimeoutException e) {
      reply.cancel(false);
      error = timeout();
    }
    redisErrors.increment();
    FailureMode mode = config.failureMode();
    for (RedisRateLimiterListener l : listeners) {
      notifyError(l, key, error, mode, mode == FailureMode.FAIL_OPEN);
    }
    switch (mode) {
      case FAIL_OPEN:
        return 0;
      case FAIL_CLOSED:
        return permits * config.intervalNanos();
      default:
        return permits > fallbackBurst
            ? permits * config.intervalNanos()
            : fallback.nanosUntilAvailable(key, permits);
    }
  }

  /**
   * Returns the configuration.
   *
   * @return the immutable configuration
   */
  public RedisRateLimiterConfig config() {
    return config;
  }

  /**
   * Returns a snapshot of the counters since creation.
   *
   * @return the snapshot
   */
  public RedisRateLimiterStats stats() {
    return new RedisRateLimiterStats(
        permitted.sum(),
        rejected.sum(),
        roundTrips.sum(),
        redisErrors.sum(),
        scriptReloads.sum(),
        failureModeDecisions.sum(),
        servedFromBatch.sum());
  }

  /**
   * Registers a listener. While none is registered, reporting costs nothing.
   *
   * @param listener the listener
   */
  public synchronized void addListener(RedisRateLimiterListener listener) {
    Objects.requireNonNull(listener, "listener");
    RedisRateLimiterListener[] current = listeners;
    RedisRateLimiterListener[] next = Arrays.copyOf(current, current.length + 1);
    next[current.length] = listener;
    listeners = next;
  }

  /**
   * Removes a listener registered with {@link #addListener}; does nothing if it is not registered.
   *
   * @param listener the listener
   */
  public synchronized void removeListener(RedisRateLimiterListener listener) {
    RedisRateLimiterListener[] current = listeners;
    for (int i = 0; i < current.length; i++) {
      if (current[i] == listener) {
        RedisRateLimiterListener[] next = new RedisRateLimiterListener[current.length - 1];
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        listeners = next.length == 0 ? NO_LISTENERS : next;
        return;
      }
    }
  }

  /**
   * Closes the client and connection if this limiter created them ({@link #create(String,
   * RedisRateLimiterConfig)}); a connection passed in by the caller is left open. Idempotent. Later
   * decisions throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (ownedClient != null) {
      connection.close();
      ownedClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private void check(String key, long permits) {
    Objects.requireNonNull(key, "key");
    if (permits < 1 || permits > config.burst()) {
      throw new IllegalArgumentException(
          "permits must be in [1, " + config.burst() + "] (at most burst) but was " + permits);
    }
    if (closed) {
      throw new IllegalStateException("RedisRateLimiter '" + config.name() + "' is closed");
    }
  }

  private CompletableFuture<List<Object>> send(String redisKey, long min, long max, boolean peek) {
    roundTrips.increment();
    return runner.run(
        new String[] {redisKey},
        new String[] {rateArg, periodArg, burstArg, arg(min), arg(max), peek ? "1" : "0"});
  }

  private static String arg(long value) {
    return value < MIN_MAX_CACHE.length ? MIN_MAX_CACHE[(int) value] : Long.toString(value);
  }

  private boolean granted(
      String key, String redisKey, long permits, List<Object> reply, long grantTime) {
    long granted = ((Number) reply.get(0)).longValue();
    if (granted >= permits) {
      if (batches != null) {
        batches.add(redisKey, granted - permits, grantTime);
      }
      return decided(key, permits, true);
    }
    return decided(key, permits, false);
  }

  private boolean failed(String key, long permits, Throwable error) {
    redisErrors.increment();
    failureModeDecisions.increment();
    FailureMode mode = config.failureMode();
    boolean permit;
    switch (mode) {
      case FAIL_OPEN:
        permit = true;
        break;
      case FAIL_CLOSED:
        permit = false;
        break;
      default:
        permit = permits <= fallbackBurst && fallback.tryAcquire(key, permits);
        break;
    }
    for (RedisRateLimiterListener l : listeners) {
      notifyError(l, key, error, mode, permit);
    }
    return decided(key, permits, permit);
  }

  private boolean decided(String key, long permits, boolean permit) {
    (permit ? permitted : rejected).increment();
    RedisRateLimiterListener[] ls = listeners;
    for (RedisRateLimiterListener l : ls) {
      try {
        l.onDecision(key, permits, permit);
      } catch (RuntimeException ignored) {
        // A listener must not break decisions (documented on the listener interface).
      }
    }
    return permit;
  }

  private void scriptReloaded() {
    scriptReloads.increment();
    for (RedisRateLimiterListener l : listeners) {
      try {
        l.onScriptReloaded();
      } catch (RuntimeException ignored) {
        // See decided().
      }
    }
  }

  private static void notifyError(
      RedisRateLimiterListener l, String key, Throwable error, FailureMode mode, boolean permit) {
    try {
      l.onRedisError(key, error, mode, permit);
    } catch (RuntimeException ignored) {
      // See decided().
    }
  }

  private RedisCommandTimeoutException timeout() {
    return new RedisCommandTimeoutException(
        "Redis did not answer within "
            + config.commandTimeout()
            + " (limiter "
            + config.name()
            + ")");
  }

  private Throwable asTimeout(Throwable error) {
    return error instanceof TimeoutException ? timeout() : error;
  }
}
