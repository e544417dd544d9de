package io.dsblocks.cache.redis;

import io.dsblocks.cache.CacheTier;
import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.internal.redis.OwnedRedisClient;
import io.dsblocks.cache.internal.redis.RepairLog;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A remote {@link CacheTier} in Redis, shared by every node that uses the same namespace (through
 * <a href="https://lettuce.io">Lettuce</a>).
 *
 * <p>Each entry is one Redis string: key {@code <namespace>:<key bytes>} (the key codec's bytes),
 * value the value codec's bytes, with {@code SET ... PX ttl} when the cache gives a TTL (or {@link
 * Builder#maxTtl} caps it). A {@link #get} is one {@code GET}, a {@link #put} one {@code SET}, a
 * {@link #remove} one {@code UNLINK}; {@link #clear} deletes this namespace only, with {@code SCAN
 * MATCH <namespace>:*} and {@code UNLINK} in batches (never {@code FLUSHDB}). Standalone Redis or a
 * Sentinel-managed primary; not Redis Cluster (a multi-key {@code UNLINK} would span slots).
 *
 * <h2>Failures</h2>
 *
 * A tier must never hold a caller up: every operation waits at most the {@linkplain
 * Builder#commandTimeout command timeout} (default 100 ms) and fails at once while the connection
 * is down, with a {@link CacheTierException}; a {@link io.dsblocks.cache.DsCache} counts it and
 * carries on without the tier. Lettuce reconnects in the background. A client the tier creates from
 * a URI rejects commands while disconnected, reconnects with backoff capped at {@linkplain
 * Builder#maxReconnectDelay 1 s}, and uses the command timeout as its own; with a client you pass
 * in, the tier still checks the connection before each command and bounds each wait itself.
 *
 * <h2>Repairs after an outage</h2>
 *
 * A put or remove that failed may have left an old value in Redis, which every node would keep
 * reading (forever, if it has no TTL). So the tier remembers the key of each failed put or remove
 * (up to {@linkplain Builder#maxPendingRepairs 10 000} distinct keys) and, once Redis answers again
 * (on reconnect, or after the next successful command), deletes them on its repair thread. A later
 * successful put or remove of the key makes its repair unnecessary. If more keys failed than it can
 * remember, or a {@link #clear} failed, it clears its whole namespace instead (every node then
 * loads again: a cost, never stale data). A {@link RepairListener} hears about each repair, to
 * republish invalidations. Repairs are lost if the process stops before Redis comes back; {@link
 * Builder#maxTtl} bounds how long any value can outlive its last write in every case.
 *
 * <p>Thread-safe. {@link #close()} closes the tier's connection, and its client only if the tier
 * created it from a URI: a client you pass in stays yours.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class RedisTier<K, V> implements CacheTier<K, V>, AutoCloseable {
  /** Redis refuses expiries that overflow its clock; 100 years is far below that and beyond use. */
  private static final long MAX_PX_MILLIS = Duration.ofDays(36_525).toMillis();

  private final String name;
  private final String namespace;
  private final byte[] prefix;
  private final byte[] matchPattern;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final long timeoutNanos;
  private final long maxTtlMillis;
  private final ScanArgs scanArgs;
  private final int scanBatch;
  private final RepairListener<K> repairListener;
  private final OwnedRedisClient owned;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> commands;
  private final RepairLog<K> repairs;
  private final ThreadPoolExecutor repairExecutor;
  private final AtomicBoolean repairScheduled = new AtomicBoolean();
  private final RedisConnectionStateListener reconnectListener;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder errors = new LongAdder();
  private final LongAdder repairedKeys = new LongAdder();
  private final LongAdder namespaceRepairs = new LongAdder();

  private RedisTier(Builder<K, V> b, OwnedRedisClient owned, RedisClient client) {
    this.namespace = b.namespace;
    this.name = b.name != null ? b.name : "redis:" + b.namespace;
    this.prefix = (b.namespace + ":").getBytes(StandardCharsets.UTF_8);
    this.matchPattern = globPrefix(prefix);
    this.keyCodec = b.keyCodec;
    this.valueCodec = b.valueCodec;
    this.timeoutNanos = b.commandTimeout.toNanos();
    this.maxTtlMillis = b.maxTtl == null ? 0 : ceilMillis(b.maxTtl);
    this.scanBatch = b.scanBatchSize;
    this.scanArgs = ScanArgs.Builder.matches(matchPattern).limit(b.scanBatchSize);
    this.repairListener = b.repairListener;
    this.owned = owned;
    this.repairs = new RepairLog<>(b.maxPendingRepairs);
    try {
      this.connection = client.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      throw new CacheTierException(
          "redis tier '" + name + "': cannot connect to Redis (is it running and reachable?)", e);
    }
    this.commands = connection.async();
    // One lazily started thread: repairs block on Redis and call the listener, which must never
    // happen on a Lettuce I/O thread (a reply could then wait for the thread that waits for it).
    this.repairExecutor =
        new ThreadPoolExecutor(
            0,
            1,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "dsblocks-redis-tier-repair-" + name);
              t.setDaemon(true);
              return t;
            });
    this.reconnectListener =
        new RedisConnectionStateListener() {
          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            scheduleRepair();
          }
        };
    connection.addListener(reconnectListener);
  }

  /**
   * Returns a builder.
   *
   * @param <K> key type
   * @param <V> value type
   * @return a new builder
   */
  public static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /**
   * Creates a tier of UTF-8 strings on a client you own, with the default settings.
   *
   * @param client the client (not closed by the tier)
   * @param namespace the key prefix, see {@link Builder#namespace}
   * @return the tier, connected
   * @throws CacheTierException if Redis cannot be reached now
   */
  public static RedisTier<String, String> strings(RedisClient client, String namespace) {
    return RedisTier.<String, String>builder()
        .client(client)
        .namespace(namespace)
        .keyCodec(Codec.utf8())
        .valueCodec(Codec.utf8())
        .build();
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns true: other nodes read the same namespace.
   *
   * @return true
   */
  @Override
  public boolean shared() {
    return true;
  }

  /**
   * Returns the namespace (the key prefix before the {@code ':'}).
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  @Override
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    byte[] raw;
    try {
      ensureUsable("get", key);
      raw = await("get", key, commands.get(redisKey(key)));
    } catch (CacheTierException e) {
      errors.increment();
      throw e;
    }
    afterSuccess();
    if (raw == null) {
      return null;
    }
    try {
      return Objects.requireNonNull(valueCodec.decode(raw), "valueCodec.decode returned null");
    } catch (RuntimeException e) {
      errors.increment();
      throw new CacheTierException(
          "redis tier '" + name + "': cannot decode the value of key " + key, e);
    }
  }

  @Override
  public void put(K key, V value, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    long px = pxMillis(ttl);
    byte[] redisKey = redisKey(key);
    byte[] raw =
        Objects.requireNonNull(valueCodec.encode(value), "valueCodec.encode returned null");
    try {
      ensureUsable("put", key);
      await(
          "put",
          key,
          px > 0
              ? commands.set(redisKey, raw, SetArgs.Builder.px(px))
              : commands.set(redisKey, raw));
    } catch (CacheTierException e) {
      failedWrite(redisKey, key);
      throw e;
    }
    repairs.forget(redisKey);
    afterSuccess();
  }

  /**
   * Stores the value only if the key is absent ({@code SET ... NX}, with {@code PX} for a TTL): the
   * cache fills this shared tier this way with values it read or loaded, so that a fill racing
   * another node's write never replaces the newer value. A failed fill changes nothing in Redis,
   * so, unlike a failed {@link #put}, it leaves no repair behind.
   */
  @Override
  public void putIfAbsent(K key, V value, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    long px = pxMillis(ttl);
    byte[] redisKey = redisKey(key);
    byte[] raw =
        Objects.requireNonNull(valueCodec.encode(value), "valueCodec.encode returned null");
    try {
      ensureUsable("put", key);
      await(
          "put",
          key,
          commands.set(redisKey, raw, px > 0 ? SetArgs.Builder.nx().px(px) : SetArgs.Builder.nx()));
    } catch (CacheTierException e) {
      errors.increment();
      throw e;
    }
    afterSuccess();
  }

  @Override
  public void remove(K key) {
    Objects.requireNonNull(key, "key");
    byte[] redisKey = redisKey(key);
    try {
      ensureUsable("remove", key);
      await("remove", key, commands.unlink(redisKey));
    } catch (CacheTierException e) {
      failedWrite(redisKey, key);
      throw e;
    }
    repairs.forget(redisKey);
    afterSuccess();
  }

  /**
   * Deletes every key of this tier's namespace ({@code SCAN} + {@code UNLINK} in batches); other
   * namespaces in the same database are untouched. Keys written by other nodes while the scan runs
   * may survive it. If it fails, the namespace is cleared again once Redis is back.
   *
   * @throws CacheTierException if Redis fails or times out on one of the commands
   */
  @Override
  public void clear() {
    repairs.beginNamespaceClear();
    try {
      ensureUsable("clear", null);
      clearNamespace();
    } catch (CacheTierException e) {
      errors.increment();
      repairs.markNamespaceDirty();
      throw e;
    }
    afterSuccess();
  }

  /**
   * Returns whether the tier's connection to Redis is up now (for health checks; while it is down,
   * every operation fails at once and Lettuce reconnects in the background).
   *
   * @return true if connected and not closed
   */
  public boolean connected() {
    return !closed.get() && connection.isOpen();
  }

  /**
   * Returns the number of operations that failed (timeouts, disconnections, Redis errors, values
   * the codec could not decode).
   *
   * @return the count
   */
  public long errors() {
    return errors.sum();
  }

  /**
   * Returns how many keys wait to be deleted because a put or remove of theirs failed.
   *
   * @return the count
   */
  public int pendingRepairs() {
    return repairs.size();
  }

  /**
   * Returns whether the whole namespace waits to be cleared (too many failed keys to remember, or a
   * failed {@link #clear}).
   *
   * @return true if a namespace clear is pending
   */
  public boolean namespaceRepairPending() {
    return repairs.namespaceDirty();
  }

  /**
   * Returns how many remembered keys were deleted after Redis came back.
   *
   * @return the count
   */
  public long repairedKeys() {
    return repairedKeys.sum();
  }

  /**
   * Returns how many times the namespace was cleared to repair an outage.
   *
   * @return the count
   */
  public long namespaceRepairs() {
    return namespaceRepairs.sum();
  }

  /**
   * Returns how many failed writes found the repair log full (each one made the namespace dirty).
   *
   * @return the count
   */
  public long repairOverflows() {
    return repairs.overflows();
  }

  /**
   * Closes the tier's connection (and the client it created from a URI, if any) and stops repairs:
   * pending repairs are dropped (the values they would have deleted expire with their TTL).
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connection.removeListener(reconnectListener);
    repairExecutor.shutdownNow();
    try {
      connection.close();
    } finally {
      if (owned != null) {
        owned.shutdown();
      }
    }
  }

  @Override
  public String toString() {
    return "RedisTier[" + name + ", namespace=" + namespace + "]";
  }

  // ---------------------------------------------------------------- commands

  private void ensureUsable(String op, K key) {
    if (closed.get()) {
      throw new CacheTierException(describe(op, key) + ": the tier is closed", null);
    }
    // Checked before sending: a client that queues commands while disconnected (Lettuce's
    // default) would otherwise hold every caller for the whole timeout during an outage.
    if (!connection.isOpen()) {
      throw new CacheTierException(
          describe(op, key) + ": not connected to Redis (reconnecting in the background)", null);
    }
  }

  private <T> T await(String op, K key, RedisFuture<T> future) {
    try {
      return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new CacheTierException(
          describe(op, key)
              + ": no reply within "
              + Duration.ofNanos(timeoutNanos).toMillis()
              + " ms",
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new CacheTierException(describe(op, key) + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new CacheTierException(describe(op, key) + ": interrupted", e);
    } catch (RuntimeException e) {
      throw new CacheTierException(describe(op, key) + ": " + e.getMessage(), e);
    }
  }

  private String describe(String op, K key) {
    return "redis tier '" + name + "': " + op + (key == null ? "" : " of key " + key) + " failed";
  }

  private void clearNamespace() {
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<byte[]> page = await("clear", null, commands.scan(cursor, scanArgs));
      List<byte[]> keys = page.getKeys();
      if (!keys.isEmpty()) {
        await("clear", null, commands.unlink(keys.toArray(new byte[0][])));
      }
      cursor = page;
    } while (!cursor.isFinished());
  }

  private byte[] redisKey(K key) {
    byte[] encoded =
        Objects.requireNonNull(keyCodec.encode(key), "keyCodec.encode returned null for " + key);
    byte[] full = new byte[prefix.length + encoded.length];
    System.arraycopy(prefix, 0, full, 0, prefix.length);
    System.arraycopy(encoded, 0, full, prefix.length, encoded.length);
    return full;
  }

  private long pxMillis(Duration ttl) {
    long ms = 0;
    if (ttl != null) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive or null but was " + ttl);
      }
      ms = ceilMillis(ttl);
    }
    if (maxTtlMillis > 0 && (ms == 0 || ms > maxTtlMillis)) {
      ms = maxTtlMillis;
    }
    return ms;
  }

  /** Rounds up, so that a sub-millisecond TTL does not become "no TTL"; caps at 100 years. */
  private static long ceilMillis(Duration d) {
    if (d.compareTo(Duration.ofMillis(MAX_PX_MILLIS)) >= 0) {
      return MAX_PX_MILLIS;
    }
    long ms = d.toMillis();
    return d.minusMillis(ms).isZero() ? ms : ms + 1;
  }

  /** The SCAN pattern matching exactly the keys that start with {@code prefix}. */
  private static byte[] globPrefix(byte[] prefix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.length + 8);
    for (byte b : prefix) {
      if (b == '*' || b == '?' || b == '[' || b == ']' || b == '\\') {
        out.write('\\');
      }
      out.write(b);
    }
    out.write('*');
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- repairs

  private void failedWrite(byte[] redisKey, K key) {
    errors.increment();
    repairs.remember(redisKey, key);
  }

  private void afterSuccess() {
    if (repairs.needsRepair()) {
      scheduleRepair();
    }
  }

  private void scheduleRepair() {
    if (closed.get() || !repairs.needsRepair() || !repairScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      repairExecutor.execute(this::repair);
    } catch (RejectedExecutionException e) {
      repairScheduled.set(false); // closed meanwhile
    }
  }

  /** Runs on the repair thread. Stops at the first failure: the next trigger tries again. */
  private void repair() {
    // Cleared first, so that a trigger arriving while this pass runs schedules another pass.
    repairScheduled.set(false);
    if (!awaitConnected()) {
      return; // still down: the next reconnect or successful command triggers another pass
    }
    try {
      if (repairs.namespaceDirty()) {
        repairs.beginNamespaceClear();
        try {
          ensureUsable("repair clear", null);
          clearNamespace();
        } catch (CacheTierException e) {
          repairs.markNamespaceDirty();
          return;
        }
        namespaceRepairs.increment();
        if (repairListener != null) {
          notifyListener(null, true);
        }
      }
      while (true) {
        List<RepairLog.Pending<K>> batch = repairs.batch(scanBatch);
        if (batch.isEmpty()) {
          return;
        }
        byte[][] keys = new byte[batch.size()][];
        for (int i = 0; i < keys.length; i++) {
          keys[i] = batch.get(i).redisKey();
        }
        try {
          ensureUsable("repair", null);
          await("repair", null, commands.unlink(keys));
        } catch (CacheTierException e) {
          return;
        }
        for (RepairLog.Pending<K> p : batch) {
          if (repairs.repaired(p)) {
            repairedKeys.increment();
            if (repairListener != null) {
              notifyListener(p.key(), false);
            }
          }
        }
      }
    } catch (RuntimeException e) {
      // Nothing may kill the repair thread's future passes; the log still holds what is left.
    }
  }

  /**
   * Lettuce reports a reconnect before the connection has finished its handshake and accepts
   * commands, so a repair triggered by it waits a little (on the repair thread, never a caller's).
   */
  private boolean awaitConnected() {
    for (int attempt = 0; attempt < 8 && !connection.isOpen(); attempt++) {
      if (closed.get()) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5L << attempt)); // 5 ms .. 640 ms
    }
    return connection.isOpen() && !closed.get();
  }

  private void notifyListener(K key, boolean namespace) {
    try {
      if (namespace) {
        repairListener.namespaceCleared();
      } else {
        repairListener.keyRepaired(key);
      }
    } catch (RuntimeException ignored) {
      // a listener cannot stop the repair
    }
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures a {@link RedisTier}: set {@link #client} or {@link #uri}, {@link #namespace}, {@link
   * #keyCodec} and {@link #valueCodec}; everything else has a default. Values are checked by {@link
   * #build()}.
   *
   * <p>Not thread-safe; build once and share the tier.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Builder<K, V> {
    private RedisClient client;
    private RedisURI uri;
    private String namespace;
    private String name;
    private Codec<K> keyCodec;
    private Codec<V> valueCodec;
    private Duration commandTimeout = Duration.ofMillis(100);
    private Duration connectTimeout = Duration.ofSeconds(1);
    private Duration maxReconnectDelay = Duration.ofSeconds(1);
    private Duration maxTtl;
    private int maxPendingRepairs = 10_000;
    private int scanBatchSize = 500;
    private RepairListener<K> repairListener;

    private Builder() {}

    /**
     * Uses a client you own; {@link RedisTier#close()} does not shut it down. Its options decide
     * reconnects (Lettuce's default: on); the tier bounds every wait with its command timeout
     * anyway. Exclusive with {@link #uri}.
     *
     * @param client the client
     * @return this builder
     */
    public Builder<K, V> client(RedisClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Creates and owns a client for {@code uri} (shut down by {@link RedisTier#close()}), set up to
     * fail fast and reconnect. Exclusive with {@link #client}.
     *
     * @param uri e.g. {@code redis://localhost:6379/0}
     * @return this builder
     * @throws IllegalArgumentException if the URI cannot be parsed
     */
    public Builder<K, V> uri(String uri) {
      return uri(RedisURI.create(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * Creates and owns a client for {@code uri}; see {@link #uri(String)}.
     *
     * @param uri where Redis is
     * @return this builder
     */
    public Builder<K, V> uri(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * Sets the namespace: every key is {@code <namespace>:<key bytes>}, and {@link #clear()}
     * deletes exactly the keys starting with {@code <namespace>:}. Every node of one cache uses the
     * same namespace; different caches use different ones, neither being another followed by {@code
     * ':'} (clearing {@code "users"} would also delete {@code "users:eu"}'s keys). 1 to 200
     * characters, not ending with {@code ':'}.
     *
     * @param namespace e.g. {@code "myapp:users"}
     * @return this builder
     */
    public Builder<K, V> namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * Sets the name used in errors and events (default {@code "redis:<namespace>"}).
     *
     * @param name 1 to 200 characters
     * @return this builder
     */
    public Builder<K, V> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets how keys become bytes (for the Redis key, after the namespace).
     *
     * @param keyCodec the codec, e.g. {@link Codec#utf8()}
     * @return this builder
     */
    public Builder<K, V> keyCodec(Codec<K> keyCodec) {
      this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
      return this;
    }

    /**
     * Sets how values become bytes. Every node sharing the namespace must use a compatible codec.
     *
     * @param valueCodec the codec
     * @return this builder
     */
    public Builder<K, V> valueCodec(Codec<V> valueCodec) {
      this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
      return this;
    }

    /**
     * Sets the longest a caller waits for one Redis command (default 100 ms), in [1 ms, 1 min].
     * Keep it short: a slow tier slows every miss, and the cache falls back to the loader anyway.
     *
     * @param commandTimeout the timeout
     * @return this builder
     */
    public Builder<K, V> commandTimeout(Duration commandTimeout) {
      this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
      return this;
    }

    /**
     * Sets the TCP connect timeout of a client created from a {@link #uri} (default 1 s), in [1 ms,
     * 1 min]; it bounds {@link #build()} when Redis is unreachable and every reconnect attempt.
     *
     * @param connectTimeout the timeout
     * @return this builder
     */
    public Builder<K, V> connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the cap of the reconnect backoff of a client created from a {@link #uri} (default 1 s),
     * in [1 ms, 5 min]: after an outage the tier is back at most this long after Redis is.
     *
     * @param maxReconnectDelay the cap
     * @return this builder
     */
    public Builder<K, V> maxReconnectDelay(Duration maxReconnectDelay) {
      this.maxReconnectDelay = Objects.requireNonNull(maxReconnectDelay, "maxReconnectDelay");
      return this;
    }

    /**
     * Caps the Redis TTL of every entry, including those the cache gives no TTL (default: no cap),
     * in [1 ms, 100 years]. This bounds how long a value can outlive its last write whatever fails:
     * a repair lost in a process crash, an invalidation lost in transit.
     *
     * @param maxTtl the cap
     * @return this builder
     */
    public Builder<K, V> maxTtl(Duration maxTtl) {
      this.maxTtl = Objects.requireNonNull(maxTtl, "maxTtl");
      return this;
    }

    /**
     * Sets how many distinct keys whose put or remove failed the tier remembers for deletion once
     * Redis is back (default 10 000), in [0, 10 000 000]. Past that it clears its whole namespace
     * instead; 0 means always clearing it.
     *
     * @param maxPendingRepairs the bound
     * @return this builder
     */
    public Builder<K, V> maxPendingRepairs(int maxPendingRepairs) {
      this.maxPendingRepairs = maxPendingRepairs;
      return this;
    }

    /**
     * Sets the {@code SCAN COUNT} hint and the most keys per {@code UNLINK} when clearing or
     * repairing (default 500), in [1, 100 000].
     *
     * @param scanBatchSize keys per batch
     * @return this builder
     */
    public Builder<K, V> scanBatchSize(int scanBatchSize) {
      this.scanBatchSize = scanBatchSize;
      return this;
    }

    /**
     * Sets who hears about repairs (default: nobody).
     *
     * @param repairListener the listener
     * @return this builder
     */
    public Builder<K, V> repairListener(RepairListener<K> repairListener) {
      this.repairListener = Objects.requireNonNull(repairListener, "repairListener");
      return this;
    }

    /**
     * Checks the settings, connects and returns the tier.
     *
     * @return the tier
     * @throws IllegalArgumentException if a setting is out of range or neither / both of {@code
     *     client} and {@code uri} are set
     * @throws NullPointerException if {@code namespace}, {@code keyCodec} or {@code valueCodec} is
     *     missing
     * @throws CacheTierException if Redis cannot be reached now (the tier needs it at start; it
     *     survives outages afterwards)
     */
    public RedisTier<K, V> build() {
      if ((client == null) == (uri == null)) {
        throw new IllegalArgumentException(
            "set exactly one of client(...) and uri(...) but "
                + (client == null ? "neither was set" : "both were set"));
      }
      Objects.requireNonNull(namespace, "namespace must be set");
      if (namespace.isEmpty() || namespace.length() > 200 || namespace.endsWith(":")) {
        throw new IllegalArgumentException(
            "namespace must be 1 to 200 characters, not ending with ':', but was '"
                + namespace
                + "'");
      }
      if (name != null && (name.isEmpty() || name.length() > 200)) {
        throw new IllegalArgumentException(
            "name must be 1 to 200 characters but had " + name.length());
      }
      Objects.requireNonNull(keyCodec, "keyCodec must be set");
      Objects.requireNonNull(valueCodec, "valueCodec must be set");
      RedisConfigChecks.duration(
          "commandTimeout", commandTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
      RedisConfigChecks.duration(
          "connectTimeout", connectTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
      RedisConfigChecks.duration(
          "maxReconnectDelay", maxReconnectDelay, Duration.ofMillis(1), Duration.ofMinutes(5));
      if (maxTtl != null) {
        RedisConfigChecks.duration(
            "maxTtl", maxTtl, Duration.ofMillis(1), Duration.ofMillis(MAX_PX_MILLIS));
      }
      RedisConfigChecks.range("maxPendingRepairs", maxPendingRepairs, 0, 10_000_000);
      RedisConfigChecks.range("scanBatchSize", scanBatchSize, 1, 100_000);
      if (client != null) {
        return new RedisTier<>(this, null, client);
      }
      OwnedRedisClient owned =
          OwnedRedisClient.create(uri, commandTimeout, connectTimeout, maxReconnectDelay);
      try {
        return new RedisTier<>(this, owned, owned.client());
      } catch (RuntimeException e) {
        owned.shutdown();
        throw e;
      }
    }
  }
}
