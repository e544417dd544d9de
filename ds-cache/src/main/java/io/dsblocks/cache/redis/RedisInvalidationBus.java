package io.dsblocks.cache.redis;

import io.dsblocks.cache.CacheException;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.InvalidationBus;
import io.dsblocks.cache.InvalidationMessage;
import io.dsblocks.cache.internal.redis.InvalidationCodec;
import io.dsblocks.cache.internal.redis.OwnedRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * An {@link InvalidationBus} over Redis pub/sub: {@link #publish} sends a {@code PUBLISH} on one
 * channel; every bus subscribed to that channel (one per node) hands the message to its
 * subscribers, normally an {@link io.dsblocks.cache.InvalidationNode}.
 *
 * <p>Messages are compact binary (format version, source id, sequence number, the key codec's
 * bytes), so keys need no escaping. Publishing uses a normal connection; receiving a dedicated
 * pub/sub connection whose messages are handed to subscribers on the bus's own delivery thread, one
 * at a time and in arrival order (never on a Lettuce I/O thread: a subscriber that invalidates a
 * cache may wait for a lock held by a thread that waits for Redis).
 *
 * <h2>Lost messages</h2>
 *
 * Pub/sub delivers at most once: a subscriber misses whatever was published while it was
 * disconnected. Lettuce reconnects and resubscribes by itself, and then:
 *
 * <ul>
 *   <li>the bus hands its subscribers an "invalidate every key" message (source {@link
 *       #resubscribeSource()}) as soon as the subscription is confirmed again, so a node that was
 *       cut off clears its L1 at once, even if nobody publishes afterwards;
 *   <li>the next message of a source whose messages were lost has a sequence number past the last
 *       one received: {@link io.dsblocks.cache.InvalidationNode} sees the gap and clears its L1
 *       again, which also covers messages a publisher could not send at all.
 * </ul>
 *
 * A message this bus cannot decode (another format on the channel, a key the codec rejects) is
 * counted in {@link #malformed()} and handled like a lost one (every key invalidated): use a
 * channel of your own.
 *
 * <h2>Publish failures</h2>
 *
 * {@link #publish} waits at most the {@linkplain Builder#commandTimeout command timeout} (default
 * 100 ms; at once when disconnected) and then throws {@link InvalidationPublishException}, counted
 * in {@link #publishFailures()}. The writer's own cache and a shared tier are already updated; the
 * other nodes rely on the recovery above (or their L1 expiry) for that key.
 *
 * <p>Thread-safe. {@link #close()} closes the bus's connections and its client only if it created
 * it from a URI.
 *
 * @param <K> key type
 */
public final class RedisInvalidationBus<K> implements InvalidationBus<K>, AutoCloseable {
  private final String channelName;
  private final byte[] channel;
  private final InvalidationCodec<K> codec;
  private final long timeoutNanos;
  private final OwnedRedisClient owned;
  private final StatefulRedisConnection<byte[], byte[]> publishConnection;
  private final StatefulRedisPubSubConnection<byte[], byte[]> subscribeConnection;
  private final ExecutorService delivery;
  private final CopyOnWriteArrayList<Consumer<InvalidationMessage<K>>> subscribers =
      new CopyOnWriteArrayList<>();
  private final String resubscribeSource;
  private final AtomicLong confirmations = new AtomicLong();
  private final AtomicLong localSequence = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LongAdder published = new LongAdder();
  private final LongAdder publishFailures = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LongAdder resubscriptions = new LongAdder();

  private RedisInvalidationBus(Builder<K> b, OwnedRedisClient owned, RedisClient client) {
    this.channelName = b.channel;
    this.channel = b.channel.getBytes(StandardCharsets.UTF_8);
    this.codec = new InvalidationCodec<>(b.keyCodec);
    this.timeoutNanos = b.commandTimeout.toNanos();
    this.owned = owned;
    // A NUL cannot appear in a node id by accident, so this source never collides with a real one.
    this.resubscribeSource = "\u0000resubscribed:" + b.channel;
    this.delivery =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "dsblocks-redis-bus-" + b.channel);
              t.setDaemon(true);
              return t;
            });
    StatefulRedisConnection<byte[], byte[]> pub = null;
    StatefulRedisPubSubConnection<byte[], byte[]> sub = null;
    try {
      pub = client.connect(ByteArrayCodec.INSTANCE);
      sub = client.connectPubSub(ByteArrayCodec.INSTANCE);
      sub.addListener(new Listener());
      RedisFuture<Void> subscribed = sub.async().subscribe(channel);
      // Generous: a subscription that is slow to confirm still works, failing build() is worse.
      long wait = b.connectTimeout.toNanos() + Math.max(timeoutNanos, TimeUnit.SECONDS.toNanos(1));
      subscribed.get(wait, TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (sub != null) {
        sub.close();
      }
      if (pub != null) {
        pub.close();
      }
      delivery.shutdownNow();
      throw new CacheException(
          "redis invalidation bus '" + b.channel + "': cannot connect and subscribe", e);
    }
    this.publishConnection = pub;
    this.subscribeConnection = sub;
  }

  /**
   * Returns a builder.
   *
   * @param <K> key type
   * @return a new builder
   */
  public static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /**
   * Creates a bus of UTF-8 string keys on a client you own, with the default settings.
   *
   * @param client the client (not closed by the bus)
   * @param channel the pub/sub channel
   * @return the bus, subscribed
   * @throws CacheException if Redis cannot be reached now
   */
  public static RedisInvalidationBus<String> strings(RedisClient client, String channel) {
    return RedisInvalidationBus.<String>builder()
        .client(client)
        .channel(channel)
        .keyCodec(Codec.utf8())
        .build();
  }

  /**
   * Publishes {@code message} to every node subscribed to the channel (this one included).
   *
   * @param message the message
   * @throws InvalidationPublishException if Redis did not accept it within the command timeout or
   *     is disconnected
   * @throws IllegalArgumentException if the source id is not valid Unicode
   */
  @Override
  public void publish(InvalidationMessage<K> message) {
    Objects.requireNonNull(message, "message");
    byte[] payload = codec.encode(message);
    Throwable error;
    if (closed.get()) {
      error = new IllegalStateException("the bus is closed");
    } else if (!publishConnection.isOpen()) {
      error = new IllegalStateException("not connected to Redis (reconnecting in the background)");
    } else {
      RedisFuture<Long> reply = null;
      try {
        reply = publishConnection.async().publish(channel, payload);
        reply.get(timeoutNanos, TimeUnit.NANOSECONDS);
        published.increment();
        return;
      } catch (TimeoutException e) {
        reply.cancel(false);
        error =
            new TimeoutException(
                "no reply within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
      } catch (ExecutionException e) {
        error = e.getCause() != null ? e.getCause() : e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error = e;
      } catch (RuntimeException e) {
        error = e;
      }
    }
    publishFailures.increment();
    throw new InvalidationPublishException(
        "redis invalidation bus '"
            + channelName
            + "': message "
            + message.sequence()
            + " of node "
            + message.source()
            + (message.key() == null ? " (every key)" : " (key " + message.key() + ")")
            + " was not published: "
            + error.getMessage(),
        message.source(),
        message.sequence(),
        error);
  }

  /**
   * Registers a subscriber. It is called on the bus's delivery thread, one message at a time in
   * arrival order; an exception it throws is ignored.
   *
   * @param subscriber receives every message of the channel, this node's own included
   * @return closes the subscription
   */
  @Override
  public AutoCloseable subscribe(Consumer<InvalidationMessage<K>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    // Wrapped so that subscribing one consumer twice gives two independent subscriptions.
    Consumer<InvalidationMessage<K>> handle = subscriber::accept;
    subscribers.add(handle);
    return () -> subscribers.remove(handle);
  }

  /**
   * Returns the source id of the "invalidate every key" messages this bus hands its subscribers
   * after a resubscription or a malformed message (their sequence numbers count 1, 2, 3, ...). It
   * starts with a NUL character, so it cannot be a real node's id.
   *
   * @return the source id
   */
  public String resubscribeSource() {
    return resubscribeSource;
  }

  /**
   * Returns the channel.
   *
   * @return the channel name
   */
  public String channel() {
    return channelName;
  }

  /**
   * Returns whether both of the bus's connections (publishing and subscribed) are up now.
   *
   * @return true if connected and not closed
   */
  public boolean connected() {
    return !closed.get() && publishConnection.isOpen() && subscribeConnection.isOpen();
  }

  /**
   * Returns how many messages were published.
   *
   * @return the count
   */
  public long published() {
    return published.sum();
  }

  /**
   * Returns how many publishes failed (each threw {@link InvalidationPublishException}).
   *
   * @return the count
   */
  public long publishFailures() {
    return publishFailures.sum();
  }

  /**
   * Returns how many messages arrived from Redis (own ones and malformed ones included).
   *
   * @return the count
   */
  public long received() {
    return received.sum();
  }

  /**
   * Returns how many arrived messages could not be decoded.
   *
   * @return the count
   */
  public long malformed() {
    return malformed.sum();
  }

  /**
   * Returns how many times the subscription was re-established after a disconnection.
   *
   * @return the count
   */
  public long resubscriptions() {
    return resubscriptions.sum();
  }

  /**
   * Unsubscribes, closes the bus's connections (and the client it created from a URI) and stops its
   * delivery thread; messages not yet delivered are dropped. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    subscribers.clear();
    delivery.shutdownNow();
    try {
      subscribeConnection.close();
      publishConnection.close();
    } finally {
      if (owned != null) {
        owned.shutdown();
      }
    }
  }

  @Override
  public String toString() {
    return "RedisInvalidationBus[" + channelName + "]";
  }

  // ---------------------------------------------------------------- receiving

  private void enqueue(Runnable task) {
    try {
      delivery.execute(task);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void deliverPayload(byte[] payload) {
    received.increment();
    InvalidationMessage<K> message;
    try {
      message = codec.decode(payload);
    } catch (RuntimeException e) {
      // We cannot tell what it invalidated: behave as if a message had been lost.
      malformed.increment();
      message = everyKey();
    }
    deliver(message);
  }

  private InvalidationMessage<K> everyKey() {
    return new InvalidationMessage<>(resubscribeSource, localSequence.incrementAndGet(), null);
  }

  private void deliver(InvalidationMessage<K> message) {
    for (Consumer<InvalidationMessage<K>> s : subscribers) {
      try {
        s.accept(message);
      } catch (RuntimeException ignored) {
        // one broken subscriber must not hide invalidations from the others
      }
    }
  }

  /** Runs on a Lettuce I/O thread: only hands work to the delivery thread. */
  private final class Listener extends RedisPubSubAdapter<byte[], byte[]> {
    @Override
    public void message(byte[] from, byte[] payload) {
      if (Arrays.equals(from, channel)) {
        enqueue(() -> deliverPayload(payload));
      }
    }

    @Override
    public void subscribed(byte[] to, long count) {
      if (Arrays.equals(to, channel) && confirmations.incrementAndGet() > 1) {
        // Lettuce resubscribed after a reconnect: whatever was published meanwhile is lost.
        resubscriptions.increment();
        enqueue(() -> deliver(everyKey()));
      }
    }
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures a {@link RedisInvalidationBus}: set {@link #client} or {@link #uri}, {@link
   * #channel} and {@link #keyCodec}. Values are checked by {@link #build()}.
   *
   * <p>Not thread-safe; build once and share the bus.
   *
   * @param <K> key type
   */
  public static final class Builder<K> {
    private RedisClient client;
    private RedisURI uri;
    private String channel;
    private Codec<K> keyCodec;
    private Duration commandTimeout = Duration.ofMillis(100);
    private Duration connectTimeout = Duration.ofSeconds(1);
    private Duration maxReconnectDelay = Duration.ofSeconds(1);

    private Builder() {}

    /**
     * Uses a client you own; {@link RedisInvalidationBus#close()} does not shut it down. Its
     * options must keep auto-reconnect on (Lettuce's default), or a subscription lost to a
     * disconnection never comes back. Exclusive with {@link #uri}.
     *
     * @param client the client
     * @return this builder
     */
    public Builder<K> client(RedisClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Creates and owns a client for {@code uri} (shut down by {@link
     * RedisInvalidationBus#close()}), set up to fail fast and reconnect. Exclusive with {@link
     * #client}.
     *
     * @param uri e.g. {@code redis://localhost:6379}
     * @return this builder
     * @throws IllegalArgumentException if the URI cannot be parsed
     */
    public Builder<K> uri(String uri) {
      return uri(RedisURI.create(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * Creates and owns a client for {@code uri}; see {@link #uri(String)}.
     *
     * @param uri where Redis is
     * @return this builder
     */
    public Builder<K> uri(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * Sets the pub/sub channel, the same on every node of one cache and used by nothing else
     * (pub/sub channels are global to a Redis server, whatever the database number). 1 to 200
     * characters.
     *
     * @param channel e.g. {@code "myapp:users:invalidations"}
     * @return this builder
     */
    public Builder<K> channel(String channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    /**
     * Sets how keys become bytes in a message; every node must use a compatible codec.
     *
     * @param keyCodec the codec, e.g. {@link Codec#utf8()}
     * @return this builder
     */
    public Builder<K> keyCodec(Codec<K> keyCodec) {
      this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
      return this;
    }

    /**
     * Sets the longest {@link RedisInvalidationBus#publish} waits for Redis (default 100 ms), in [1
     * ms, 1 min].
     *
     * @param commandTimeout the timeout
     * @return this builder
     */
    public Builder<K> commandTimeout(Duration commandTimeout) {
      this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
      return this;
    }

    /**
     * Sets the TCP connect timeout of a client created from a {@link #uri} (default 1 s), in [1 ms,
     * 1 min]. {@link #build()} waits for the subscription at most this plus 1 s (or plus the
     * command timeout, if longer).
     *
     * @param connectTimeout the timeout
     * @return this builder
     */
    public Builder<K> connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the cap of the reconnect backoff of a client created from a {@link #uri} (default 1 s),
     * in [1 ms, 5 min].
     *
     * @param maxReconnectDelay the cap
     * @return this builder
     */
    public Builder<K> maxReconnectDelay(Duration maxReconnectDelay) {
      this.maxReconnectDelay = Objects.requireNonNull(maxReconnectDelay, "maxReconnectDelay");
      return this;
    }

    /**
     * Checks the settings, connects, subscribes and returns the bus.
     *
     * @return the bus
     * @throws IllegalArgumentException if a setting is out of range or neither / both of {@code
     *     client} and {@code uri} are set
     * @throws NullPointerException if {@code channel} or {@code keyCodec} is missing
     * @throws CacheException if Redis cannot be reached now
     */
    public RedisInvalidationBus<K> build() {
      if ((client == null) == (uri == null)) {
        throw new IllegalArgumentException(
            "set exactly one of client(...) and uri(...) but "
                + (client == null ? "neither was set" : "both were set"));
      }
      Objects.requireNonNull(channel, "channel must be set");
      if (channel.isEmpty() || channel.length() > 200) {
        throw new IllegalArgumentException(
            "channel must be 1 to 200 characters but had " + channel.length());
      }
      Objects.requireNonNull(keyCodec, "keyCodec must be set");
      RedisConfigChecks.duration(
          "commandTimeout", commandTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
      RedisConfigChecks.duration(
          "connectTimeout", connectTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
      RedisConfigChecks.duration(
          "maxReconnectDelay", maxReconnectDelay, Duration.ofMillis(1), Duration.ofMinutes(5));
      if (client != null) {
        return new RedisInvalidationBus<>(this, null, client);
      }
      OwnedRedisClient owned =
          OwnedRedisClient.create(uri, commandTimeout, connectTimeout, maxReconnectDelay);
      try {
        return new RedisInvalidationBus<>(this, owned, owned.client());
      } catch (RuntimeException e) {
        owned.shutdown();
        throw e;
      }
    }
  }
}
