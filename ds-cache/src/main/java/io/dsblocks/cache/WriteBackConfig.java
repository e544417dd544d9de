package io.dsblocks.cache;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Immutable settings of the write-back (write-behind) queue of a {@link WriteMode#WRITE_BACK}
 * cache.
 *
 * <pre>{@code
 * WriteBackConfig<String, String> writeBack = WriteBackConfig.<String, String>builder()
 *     .maxBatchSize(500)
 *     .maxDelay(Duration.ofMillis(20))
 *     .maxPending(50_000)
 *     .overflowPolicy(OverflowPolicy.BLOCK, Duration.ofSeconds(1))
 *     .retries(5, Duration.ofMillis(10), Duration.ofSeconds(1), 0.2)
 *     .failureHandler((key, value, error, attempts) -> log.error("lost {}", key, error))
 *     .journal(Path.of("cache.journal"), Codec.utf8(), Codec.utf8(), FsyncPolicy.INTERVAL)
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class WriteBackConfig<K, V> {
  private final int maxBatchSize;
  private final Duration maxDelay;
  private final int maxPending;
  private final OverflowPolicy overflowPolicy;
  private final Duration offerTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double jitter;
  private final long randomSeed;
  private final WriteFailureHandler<K, V> failureHandler;
  private final Path journal;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final FsyncPolicy fsyncPolicy;
  private final Duration fsyncInterval;
  private final long journalCompactionBytes;
  private final ThreadFactory threadFactory;

  private WriteBackConfig(Builder<K, V> b) {
    this.maxBatchSize = b.maxBatchSize;
    this.maxDelay = b.maxDelay;
    this.maxPending = b.maxPending;
    this.overflowPolicy = b.overflowPolicy;
    this.offerTimeout = b.offerTimeout;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.jitter = b.jitter;
    this.randomSeed = b.randomSeed;
    this.failureHandler = b.failureHandler;
    this.journal = b.journal;
    this.keyCodec = b.keyCodec;
    this.valueCodec = b.valueCodec;
    this.fsyncPolicy = b.fsyncPolicy;
    this.fsyncInterval = b.fsyncInterval;
    this.journalCompactionBytes = b.journalCompactionBytes;
    this.threadFactory = b.threadFactory;
  }

  /**
   * Returns a builder with the defaults: batches of up to 100 keys, at most 50 ms delay, 10 000
   * pending keys, block up to 1 s when full, 5 attempts with backoff 10 ms doubling to 1 s and 20%
   * jitter, no journal.
   *
   * @param <K> key type
   * @param <V> value type
   * @return a new builder
   */
  public static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /**
   * Returns the default settings.
   *
   * @param <K> key type
   * @param <V> value type
   * @return the defaults
   */
  public static <K, V> WriteBackConfig<K, V> defaults() {
    return new Builder<K, V>().build();
  }

  /**
   * Returns the most keys stored in one {@link CacheStore#writeAll}/{@link CacheStore#deleteAll}.
   *
   * @return the batch size bound
   */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /**
   * Returns how long the oldest queued write may wait for a batch to fill.
   *
   * @return the delay bound
   */
  public Duration maxDelay() {
    return maxDelay;
  }

  /**
   * Returns the most distinct keys that may wait in the queue.
   *
   * @return the queue bound
   */
  public int maxPending() {
    return maxPending;
  }

  /**
   * Returns what a put does when the queue is full.
   *
   * @return the policy
   */
  public OverflowPolicy overflowPolicy() {
    return overflowPolicy;
  }

  /**
   * Returns how long a put blocks for room under {@link OverflowPolicy#BLOCK}.
   *
   * @return the timeout
   */
  public Duration offerTimeout() {
    return offerTimeout;
  }

  /**
   * Returns how many times a batch is tried before its writes go to the failure handler.
   *
   * @return attempts, at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns the wait before the first retry; it doubles for each further retry.
   *
   * @return the initial backoff
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * Returns the cap of the retry backoff.
   *
   * @return the maximum backoff
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * Returns the jitter fraction: each backoff is multiplied by a random factor in {@code [1 -
   * jitter, 1 + jitter]}.
   *
   * @return jitter in [0, 1]
   */
  public double jitter() {
    return jitter;
  }

  /**
   * Returns the seed of the jitter's random numbers (deterministic runs).
   *
   * @return the seed
   */
  public long randomSeed() {
    return randomSeed;
  }

  /**
   * Returns the handler of writes given up on, or null.
   *
   * @return the handler
   */
  public WriteFailureHandler<K, V> failureHandler() {
    return failureHandler;
  }

  /**
   * Returns the journal file, or null when pending writes are kept in memory only.
   *
   * @return the journal path
   */
  public Path journal() {
    return journal;
  }

  /**
   * Returns the key codec of the journal, or null.
   *
   * @return the codec
   */
  public Codec<K> keyCodec() {
    return keyCodec;
  }

  /**
   * Returns the value codec of the journal, or null.
   *
   * @return the codec
   */
  public Codec<V> valueCodec() {
    return valueCodec;
  }

  /**
   * Returns when the journal is forced to disk.
   *
   * @return the policy
   */
  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  /**
   * Returns the force interval for {@link FsyncPolicy#INTERVAL}.
   *
   * @return the interval
   */
  public Duration fsyncInterval() {
    return fsyncInterval;
  }

  /**
   * Returns the journal size above which it is rewritten with only the writes not yet stored.
   *
   * @return the threshold in bytes
   */
  public long journalCompactionBytes() {
    return journalCompactionBytes;
  }

  /**
   * Returns the factory of the writer thread.
   *
   * @return the thread factory
   */
  public ThreadFactory threadFactory() {
    return threadFactory;
  }

  /**
   * Builds a {@link WriteBackConfig}; values are checked in {@link #build()}.
   *
   * <p>Not thread-safe.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Builder<K, V> {
    private int maxBatchSize = 100;
    private Duration maxDelay = Duration.ofMillis(50);
    private int maxPending = 10_000;
    private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
    private Duration offerTimeout = Duration.ofSeconds(1);
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(10);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private double jitter = 0.2;
    private long randomSeed = 0x5EEDL;
    private WriteFailureHandler<K, V> failureHandler;
    private Path journal;
    private Codec<K> keyCodec;
    private Codec<V> valueCodec;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.INTERVAL;
    private Duration fsyncInterval = Duration.ofMillis(100);
    private long journalCompactionBytes = 64L << 20;
    private ThreadFactory threadFactory;

    private Builder() {}

    /**
     * Sets the most keys per store batch, in [1, 1_000_000].
     *
     * @param maxBatchSize the bound
     * @return this builder
     */
    public Builder<K, V> maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /**
     * Sets how long the oldest write may wait for its batch to fill, in [0, 1 hour]; zero stores
     * writes as soon as the writer is free.
     *
     * @param maxDelay the delay bound
     * @return this builder
     */
    public Builder<K, V> maxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
      return this;
    }

    /**
     * Sets the most distinct keys waiting in the queue, in [1, 100_000_000]. Rewriting a queued key
     * does not take more room.
     *
     * @param maxPending the bound
     * @return this builder
     */
    public Builder<K, V> maxPending(int maxPending) {
      this.maxPending = maxPending;
      return this;
    }

    /**
     * Sets what a put does when the queue is full.
     *
     * @param policy fail fast or block
     * @param offerTimeout for {@link OverflowPolicy#BLOCK}, how long to wait, in [0, 1 hour]
     * @return this builder
     */
    public Builder<K, V> overflowPolicy(OverflowPolicy policy, Duration offerTimeout) {
      this.overflowPolicy = policy;
      this.offerTimeout = offerTimeout;
      return this;
    }

    /**
     * Sets the retry schedule of failed batches.
     *
     * @param maxAttempts tries per batch before the failure handler, in [1, 1000]
     * @param initialBackoff wait before the first retry, in [0, 1 hour]
     * @param maxBackoff cap of the doubling wait, at least {@code initialBackoff}
     * @param jitter random spread of each wait, in [0, 1]
     * @return this builder
     */
    public Builder<K, V> retries(
        int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {
      this.maxAttempts = maxAttempts;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the seed of the backoff jitter.
     *
     * @param seed any value
     * @return this builder
     */
    public Builder<K, V> randomSeed(long seed) {
      this.randomSeed = seed;
      return this;
    }

    /**
     * Sets the handler of writes given up on after all attempts.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder<K, V> failureHandler(WriteFailureHandler<K, V> handler) {
      this.failureHandler = Objects.requireNonNull(handler, "failureHandler");
      return this;
    }

    /**
     * Makes pending writes durable in an append-only journal replayed when a cache with the same
     * journal is built again.
     *
     * @param path the journal file (created if absent; its directory must exist)
     * @param keyCodec encodes keys
     * @param valueCodec encodes values
     * @param fsyncPolicy when the journal is forced to disk
     * @return this builder
     */
    public Builder<K, V> journal(
        Path path, Codec<K> keyCodec, Codec<V> valueCodec, FsyncPolicy fsyncPolicy) {
      this.journal = Objects.requireNonNull(path, "journal path");
      this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
      this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
      this.fsyncPolicy = Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
      return this;
    }

    /**
     * Sets the force interval of {@link FsyncPolicy#INTERVAL}, in [1 ms, 1 hour].
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder<K, V> fsyncInterval(Duration interval) {
      this.fsyncInterval = interval;
      return this;
    }

    /**
     * Sets the journal size, in [4096, 2^40] bytes (default 64 MiB), above which the journal is
     * rewritten with only the writes not yet stored. The journal is also emptied whenever the queue
     * drains; this bound matters when it never does.
     *
     * @param bytes the threshold
     * @return this builder
     */
    public Builder<K, V> journalCompactionBytes(long bytes) {
      this.journalCompactionBytes = bytes;
      return this;
    }

    /**
     * Sets the factory of the writer thread (default: a daemon thread named {@code
     * dsblocks-cache-writer-N}).
     *
     * @param factory the factory
     * @return this builder
     */
    public Builder<K, V> threadFactory(ThreadFactory factory) {
      this.threadFactory = Objects.requireNonNull(factory, "threadFactory");
      return this;
    }

    /**
     * Checks every value and builds the config.
     *
     * @return the config
     * @throws IllegalArgumentException naming the field, value and allowed range
     * @throws NullPointerException if a required value is null
     */
    public WriteBackConfig<K, V> build() {
      Checks.range("maxBatchSize", maxBatchSize, 1, 1_000_000);
      Checks.duration("maxDelay", maxDelay, Duration.ZERO, Duration.ofHours(1));
      Checks.range("maxPending", maxPending, 1, 100_000_000);
      Objects.requireNonNull(overflowPolicy, "overflowPolicy");
      Checks.duration("offerTimeout", offerTimeout, Duration.ZERO, Duration.ofHours(1));
      Checks.range("maxAttempts", maxAttempts, 1, 1000);
      Checks.duration("initialBackoff", initialBackoff, Duration.ZERO, Duration.ofHours(1));
      Checks.duration("maxBackoff", maxBackoff, initialBackoff, Duration.ofHours(1));
      if (!(jitter >= 0.0 && jitter <= 1.0)) {
        throw new IllegalArgumentException("jitter must be in [0.0, 1.0] but was " + jitter);
      }
      Checks.duration("fsyncInterval", fsyncInterval, Duration.ofMillis(1), Duration.ofHours(1));
      Checks.range("journalCompactionBytes", journalCompactionBytes, 4096, 1L << 40);
      return new WriteBackConfig<>(this);
    }
  }
}
