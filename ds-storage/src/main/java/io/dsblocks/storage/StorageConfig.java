package io.dsblocks.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Settings of an {@link ObjectStore}, built with {@link #builder()} and validated at {@link
 * Builder#build()}.
 *
 * <p>Chunking settings are fixed when a repository is created and recorded in it (changing them
 * would stop new data from deduplicating against old); when an existing repository is opened, the
 * recorded values win and the builder's are ignored. Everything else applies to the store being
 * opened and may differ from one open to the next.
 *
 * <p>Immutable and thread-safe.
 */
public final class StorageConfig {

  /** Default smallest content-defined chunk: 4 KiB. */
  public static final int DEFAULT_MIN_CHUNK = 4 << 10;

  /** Default average content-defined chunk: 16 KiB (small enough to dedup typical files). */
  public static final int DEFAULT_AVG_CHUNK = 16 << 10;

  /** Default largest content-defined chunk: 64 KiB. */
  public static final int DEFAULT_MAX_CHUNK = 64 << 10;

  /** Default pack target size: 16 MiB. */
  public static final long DEFAULT_PACK_TARGET_SIZE = 16L << 20;

  /** Smallest pack target size accepted: 64 KiB. */
  public static final long MIN_PACK_TARGET_SIZE = 64L << 10;

  /** Largest pack target size accepted: 1 GiB. */
  public static final long MAX_PACK_TARGET_SIZE = 1L << 30;

  /** Default number of chunks the in-memory dedup filter is first sized for. */
  public static final long DEFAULT_EXPECTED_CHUNKS = 1L << 20;

  /** Default false-positive rate of the in-memory dedup filter. */
  public static final double DEFAULT_FILTER_FALSE_POSITIVE_RATE = 0.01;

  /** Default size of the on-disk index's block cache: 32 MiB. */
  public static final long DEFAULT_INDEX_CACHE_BYTES = 32L << 20;

  private static final StorageConfig DEFAULTS = builder().build();

  private final int fixedChunkSize;
  private final int minChunkSize;
  private final int avgChunkSize;
  private final int maxChunkSize;
  private final Compression compression;
  private final long packTargetSize;
  private final int ingestThreads;
  private final ExecutorService executor;
  private final long expectedChunks;
  private final double filterFalsePositiveRate;
  private final long indexCacheBytes;
  private final InstantSource clock;
  private final StorageListener listener;
  private final List<StorageNode> replicaNodes;
  private final int replicationFactor;
  private final ReplicationMode replicationMode;
  private final Map<Tier, Compression> tierCompression;
  private final Map<Tier, Path> tierDirectories;
  private final TierPolicy tierPolicy;
  private final Duration tierMigrationInterval;
  private final boolean persistDeltaSketches;

  private StorageConfig(Builder b) {
    this.fixedChunkSize = b.fixedChunkSize;
    this.minChunkSize = b.minChunkSize;
    this.avgChunkSize = b.avgChunkSize;
    this.maxChunkSize = b.maxChunkSize;
    this.compression = b.compression;
    this.packTargetSize = b.packTargetSize;
    this.ingestThreads = b.ingestThreads;
    this.executor = b.executor;
    this.expectedChunks = b.expectedChunks;
    this.filterFalsePositiveRate = b.filterFalsePositiveRate;
    this.indexCacheBytes = b.indexCacheBytes;
    this.clock = b.clock;
    this.listener = b.listener;
    this.replicaNodes = b.replicaNodes;
    this.replicationFactor = b.replicationFactor;
    this.replicationMode = b.replicationMode;
    EnumMap<Tier, Compression> c = new EnumMap<>(b.tierCompression);
    c.put(Tier.HOT, b.compression);
    this.tierCompression = Collections.unmodifiableMap(c);
    this.tierDirectories = Collections.unmodifiableMap(new EnumMap<>(b.tierDirectories));
    this.tierPolicy = b.tierPolicy;
    this.tierMigrationInterval = b.tierMigrationInterval;
    this.persistDeltaSketches = b.persistDeltaSketches;
  }

  /**
   * Returns the compression of a tier: {@link #compression()} for {@link Tier#HOT}, zstd level 3
   * for {@link Tier#COLD} and zstd level 19 for {@link Tier#ARCHIVAL} unless set otherwise.
   *
   * @param tier the tier
   * @return its compression
   */
  public Compression tierCompression(Tier tier) {
    return tierCompression.get(Objects.requireNonNull(tier, "tier"));
  }

  /**
   * Returns the pack directory configured for a tier. Empty means the default inside the
   * repository: {@code packs/} (hot, always), {@code packs-cold/}, {@code packs-archival/}.
   *
   * @param tier the tier
   * @return the configured directory, if any
   */
  public Optional<Path> tierDirectory(Tier tier) {
    return Optional.ofNullable(tierDirectories.get(Objects.requireNonNull(tier, "tier")));
  }

  /**
   * Returns the age-based tier policy.
   *
   * @return the policy ({@link TierPolicy#none()} by default)
   */
  public TierPolicy tierPolicy() {
    return tierPolicy;
  }

  /**
   * Returns how often the background tier migrator runs; {@link Duration#ZERO} means never (passes
   * run only through {@link TierMigrator#runOnce()} and {@link ObjectStore#moveToTier}).
   *
   * @return the interval
   */
  public Duration tierMigrationInterval() {
    return tierMigrationInterval;
  }

  /**
   * Returns the storage nodes that hold pack copies besides the local one (empty: no replication).
   *
   * @return the nodes, immutable
   */
  public List<StorageNode> replicaNodes() {
    return replicaNodes;
  }

  /**
   * Returns how many copies of each pack are kept, the local one included (1: no replication).
   *
   * @return the replication factor
   */
  public int replicationFactor() {
    return replicationFactor;
  }

  /**
   * Returns when writes are acknowledged relative to their replicas.
   *
   * @return the mode
   */
  public ReplicationMode replicationMode() {
    return replicationMode;
  }

  /**
   * Returns a new builder with every default set.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the default settings: content-defined chunks of 4/16/64 KiB, LZ4, 16 MiB packs, one
   * ingest thread per available processor.
   *
   * @return the defaults
   */
  public static StorageConfig defaults() {
    return DEFAULTS;
  }

  /**
   * Returns the fixed chunk size, or 0 when chunking is content-defined.
   *
   * @return bytes per chunk, or 0
   */
  public int fixedChunkSize() {
    return fixedChunkSize;
  }

  /**
   * Returns the smallest content-defined chunk (meaningless for fixed-size chunking).
   *
   * @return bytes
   */
  public int minChunkSize() {
    return minChunkSize;
  }

  /**
   * Returns the average content-defined chunk (meaningless for fixed-size chunking).
   *
   * @return bytes
   */
  public int avgChunkSize() {
    return avgChunkSize;
  }

  /**
   * Returns the largest content-defined chunk (meaningless for fixed-size chunking).
   *
   * @return bytes
   */
  public int maxChunkSize() {
    return maxChunkSize;
  }

  /**
   * Returns how new chunks are compressed.
   *
   * @return the compression setting
   */
  public Compression compression() {
    return compression;
  }

  /**
   * Returns the size at which a pack file is sealed and a new one started.
   *
   * @return bytes
   */
  public long packTargetSize() {
    return packTargetSize;
  }

  /**
   * Returns whether the near-duplicate sketch index is saved at close and restored at the next open
   * (see {@link Builder#persistDeltaSketches}).
   *
   * @return true if it is kept across opens
   */
  public boolean persistDeltaSketches() {
    return persistDeltaSketches;
  }

  /**
   * Returns the number of ingest threads the store starts when no executor is given.
   *
   * @return threads
   */
  public int ingestThreads() {
    return ingestThreads;
  }

  /**
   * Returns the executor ingest and read-ahead run on, if the application supplied one.
   *
   * @return the executor, or empty when the store owns its own pool
   */
  public Optional<ExecutorService> executor() {
    return Optional.ofNullable(executor);
  }

  /**
   * Returns the number of chunks the in-memory dedup filter is first sized for.
   *
   * @return chunks
   */
  public long expectedChunks() {
    return expectedChunks;
  }

  /**
   * Returns the target false-positive rate of the in-memory dedup filter.
   *
   * @return a probability
   */
  public double filterFalsePositiveRate() {
    return filterFalsePositiveRate;
  }

  /**
   * Returns the size of the on-disk index's block cache.
   *
   * @return bytes
   */
  public long indexCacheBytes() {
    return indexCacheBytes;
  }

  /**
   * Returns the clock that stamps object versions.
   *
   * @return the clock
   */
  public InstantSource clock() {
    return clock;
  }

  /**
   * Returns the listener events go to.
   *
   * @return the listener ({@link StorageListener#NOOP} if none was set)
   */
  public StorageListener listener() {
    return listener;
  }

  @Override
  public String toString() {
    return "StorageConfig[chunking="
        + (fixedChunkSize > 0
            ? "fixed(" + fixedChunkSize + ")"
            : "cdc(" + minChunkSize + "/" + avgChunkSize + "/" + maxChunkSize + ")")
        + ", compression="
        + compression
        + ", packTargetSize="
        + packTargetSize
        + ", ingestThreads="
        + (executor != null ? "external" : String.valueOf(ingestThreads))
        + ", expectedChunks="
        + expectedChunks
        + ", filterFalsePositiveRate="
        + filterFalsePositiveRate
        + ", tierCompression="
        + tierCompression
        + ", persistDeltaSketches="
        + persistDeltaSketches
        + ", tierPolicy="
        + tierPolicy
        + "]";
  }

  /**
   * Builds a {@link StorageConfig}. Setters check nulls at once; ranges are checked at {@link
   * #build()}, so the order of calls does not matter.
   *
   * <p>Not thread-safe; use one builder per thread.
   */
  public static final class Builder {
    private int fixedChunkSize;
    private int minChunkSize = DEFAULT_MIN_CHUNK;
    private int avgChunkSize = DEFAULT_AVG_CHUNK;
    private int maxChunkSize = DEFAULT_MAX_CHUNK;
    private Compression compression = Compression.lz4();
    private long packTargetSize = DEFAULT_PACK_TARGET_SIZE;
    private int ingestThreads = Runtime.getRuntime().availableProcessors();
    private ExecutorService executor;
    private long expectedChunks = DEFAULT_EXPECTED_CHUNKS;
    private double filterFalsePositiveRate = DEFAULT_FILTER_FALSE_POSITIVE_RATE;
    private long indexCacheBytes = DEFAULT_INDEX_CACHE_BYTES;
    private InstantSource clock = InstantSource.system();
    private StorageListener listener = StorageListener.NOOP;
    private List<StorageNode> replicaNodes = List.of();
    private int replicationFactor = 1;
    private ReplicationMode replicationMode = ReplicationMode.SYNC;
    private final EnumMap<Tier, Compression> tierCompression = defaultTierCompression();
    private final EnumMap<Tier, Path> tierDirectories = new EnumMap<>(Tier.class);
    private TierPolicy tierPolicy = TierPolicy.none();
    private Duration tierMigrationInterval = Duration.ZERO;
    private boolean persistDeltaSketches;

    private Builder() {}

    private static EnumMap<Tier, Compression> defaultTierCompression() {
      EnumMap<Tier, Compression> m = new EnumMap<>(Tier.class);
      // Cold data is written once (by migration, in the background) and read rarely: level 9
      // buys ~11% fewer bytes than level 3 on source trees for about twice the compression CPU.
      m.put(Tier.COLD, Compression.zstd(9));
      m.put(Tier.ARCHIVAL, Compression.zstd(19));
      return m;
    }

    /**
     * Sets the compression of a tier's chunks. Defaults: {@link Tier#HOT} LZ4 (the same setting as
     * {@link #compression}), {@link Tier#COLD} zstd level 9, {@link Tier#ARCHIVAL} zstd level 19
     * (zstd needs {@code com.github.luben:zstd-jni} on the class path when chunks are first moved
     * there). Chunks record their codec, so changing a tier's setting affects only chunks written
     * or moved afterwards.
     *
     * @param tier the tier
     * @param compression its compression
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder tierCompression(Tier tier, Compression compression) {
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(compression, "compression");
      if (tier == Tier.HOT) {
        this.compression = compression;
      } else {
        tierCompression.put(tier, compression);
      }
      return this;
    }

    /**
     * Puts a colder tier's packs in a directory of its own, typically on cheaper storage mounted
     * there. Defaults: {@code packs-cold/} and {@code packs-archival/} inside the repository. The
     * hot tier always uses the repository's {@code packs/}. The same directory must be given every
     * time the repository is opened (the index refers to packs by id, and the tier's directory is
     * where they are looked for).
     *
     * @param tier {@link Tier#COLD} or {@link Tier#ARCHIVAL}
     * @param directory the directory (created if missing)
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder tierDirectory(Tier tier, Path directory) {
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(directory, "directory");
      tierDirectories.put(tier, directory);
      return this;
    }

    /**
     * Moves objects between tiers by the time since they were last read. Default: {@link
     * TierPolicy#none()} (only explicit {@link ObjectStore#moveToTier} requests move data).
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder tierPolicy(TierPolicy policy) {
      this.tierPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Runs a tier migration pass in the background at this interval (on a daemon thread of the
     * store). Default {@link Duration#ZERO}: no background passes.
     *
     * @param interval zero, or in {@code [1 s, 7 days]}
     * @return this builder
     * @throws NullPointerException if {@code interval} is null
     */
    public Builder tierMigrationInterval(Duration interval) {
      this.tierMigrationInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Keeps {@code replicationFactor} copies of every pack: the local one in the repository's
     * {@code packs/} directory plus {@code replicationFactor - 1} on the given nodes, chosen per
     * pack by rendezvous hashing of the pack name over the node ids (adding a node moves only about
     * 1/n of the placements). Default: no nodes, factor 1.
     *
     * @param nodes the storage nodes, with unique ids
     * @param replicationFactor copies per pack including the local one, in [1, nodes.size() + 1]
     * @param mode {@link ReplicationMode#SYNC} (acknowledge after all copies are durable) or {@link
     *     ReplicationMode#ASYNC} (acknowledge after the local copy; copy in the background)
     * @return this builder
     * @throws NullPointerException if an argument or a node is null
     */
    public Builder replicas(List<StorageNode> nodes, int replicationFactor, ReplicationMode mode) {
      Objects.requireNonNull(nodes, "nodes");
      for (StorageNode n : nodes) {
        Objects.requireNonNull(n, "nodes contains null");
      }
      this.replicaNodes = List.copyOf(nodes);
      this.replicationFactor = replicationFactor;
      this.replicationMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Chunks by content (FastCDC), so an insertion shifts only nearby chunk boundaries and the rest
     * of a changed file still deduplicates. This is the default, with 4/16/64 KiB.
     *
     * @param min smallest chunk except a stream's last, in {@code [64, avg)}
     * @param avg average chunk, a power of two in {@code [128, 32 MiB]}
     * @param max largest chunk, in {@code (avg, 64 MiB]}
     * @return this builder
     */
    public Builder contentDefinedChunking(int min, int avg, int max) {
      this.fixedChunkSize = 0;
      this.minChunkSize = min;
      this.avgChunkSize = avg;
      this.maxChunkSize = max;
      return this;
    }

    /**
     * Chunks at fixed offsets, for block-device images whose writes are aligned: a write at an
     * offset then changes exactly the chunks it overlaps.
     *
     * @param size bytes per chunk, in {@code [64, 64 MiB]}
     * @return this builder
     */
    public Builder fixedSizeChunking(int size) {
      this.fixedChunkSize = size;
      return this;
    }

    /**
     * Sets how new chunks are compressed (default {@link Compression#lz4()}).
     *
     * @param compression the setting
     * @return this builder
     */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    /**
     * Sets the size at which a pack is sealed (default 16 MiB). Larger packs mean fewer files;
     * smaller packs make garbage collection and replication finer-grained.
     *
     * @param bytes in {@code [64 KiB, 1 GiB]}
     * @return this builder
     */
    public Builder packTargetSize(long bytes) {
      this.packTargetSize = bytes;
      return this;
    }

    /**
     * Sets how many threads the store's own ingest pool has (default: available processors).
     * Ignored when an {@link #executor} is given.
     *
     * @param threads in {@code [1, 256]}
     * @return this builder
     */
    public Builder ingestThreads(int threads) {
      this.ingestThreads = threads;
      return this;
    }

    /**
     * Runs ingest (hash, compress, encrypt) and read-ahead on the application's executor instead of
     * a pool the store owns. The store never shuts it down. Do not call {@code put} from a task of
     * the same bounded executor: the put waits for its own tasks and could starve it.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets how many distinct chunks the in-memory dedup filter is first sized for (default 1 Mi,
     * about 1.2 MiB of heap at 1 %). The filter grows in layers when exceeded, so this is a sizing
     * hint, not a limit.
     *
     * @param chunks in {@code [1024, 2^32]}
     * @return this builder
     */
    public Builder expectedChunks(long chunks) {
      this.expectedChunks = chunks;
      return this;
    }

    /**
     * Sets the in-memory dedup filter's target false-positive rate (default 0.01): the fraction of
     * new chunks that still cost an on-disk index lookup.
     *
     * @param rate in {@code [1e-6, 0.25]}
     * @return this builder
     */
    public Builder filterFalsePositiveRate(double rate) {
      this.filterFalsePositiveRate = rate;
      return this;
    }

    /**
     * Sets the on-disk index's block cache size (default 32 MiB).
     *
     * @param bytes in {@code [1 MiB, 64 GiB]}
     * @return this builder
     */
    public Builder indexCacheBytes(long bytes) {
      this.indexCacheBytes = bytes;
      return this;
    }

    /**
     * Sets whether the near-duplicate sketch index is kept across opens (default false). The store
     * finds delta bases for a new chunk among the chunks it wrote recently, through an in-memory
     * index of their sketches; by default that index starts empty at each open. With this set, a
     * clean close saves it (sealed, in the on-disk index) and the next open restores it. Turn it on
     * when the store is not kept open across the writes that share content, such as a backup
     * command that opens the repository once per run: backing up the JDK 17 source tree, then the
     * JDK 25 tree from a second process, stored 18 MB of packs for the second tree with it and
     * about 50 MB without. Cost: about 65 bytes of index per recent chunk (at most the last 65,536
     * chunks, so at most about 6 MiB; 2.2 MB after those two trees) and a few milliseconds at open
     * and close. When off, a state saved by an earlier open is deleted.
     *
     * @param persist whether to save the index at close and restore it at open
     * @return this builder
     */
    public Builder persistDeltaSketches(boolean persist) {
      this.persistDeltaSketches = persist;
      return this;
    }

    /**
     * Sets the clock that stamps versions (default {@link InstantSource#system()}).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the listener that receives events (default none).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(StorageListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the config
     * @throws IllegalArgumentException naming the first setting out of range, its value and the
     *     allowed range
     */
    public StorageConfig build() {
      final int minLimit = 64;
      final int maxLimit = 64 << 20;
      if (fixedChunkSize != 0) {
        if (fixedChunkSize < minLimit || fixedChunkSize > maxLimit) {
          throw new IllegalArgumentException(
              "fixedChunkSize must be in [64, 67108864] (64 MiB) but was " + fixedChunkSize);
        }
      } else {
        if (Integer.bitCount(avgChunkSize) != 1 || avgChunkSize < 128 || avgChunkSize > 32 << 20) {
          throw new IllegalArgumentException(
              "avgChunkSize must be a power of two in [128, 33554432] (32 MiB) but was "
                  + avgChunkSize);
        }
        if (minChunkSize < minLimit || minChunkSize >= avgChunkSize) {
          throw new IllegalArgumentException(
              "minChunkSize must be in [64, avgChunkSize) = [64, "
                  + avgChunkSize
                  + ") but was "
                  + minChunkSize);
        }
        if (maxChunkSize <= avgChunkSize || maxChunkSize > maxLimit) {
          throw new IllegalArgumentException(
              "maxChunkSize must be in (avgChunkSize, 64 MiB] = ("
                  + avgChunkSize
                  + ", "
                  + maxLimit
                  + "] but was "
                  + maxChunkSize);
        }
      }
      if (packTargetSize < MIN_PACK_TARGET_SIZE || packTargetSize > MAX_PACK_TARGET_SIZE) {
        throw new IllegalArgumentException(
            "packTargetSize must be in ["
                + MIN_PACK_TARGET_SIZE
                + ", "
                + MAX_PACK_TARGET_SIZE
                + "] (64 KiB to 1 GiB) but was "
                + packTargetSize);
      }
      if (ingestThreads < 1 || ingestThreads > 256) {
        throw new IllegalArgumentException(
            "ingestThreads must be in [1, 256] but was " + ingestThreads);
      }
      if (expectedChunks < 1024 || expectedChunks > 1L << 32) {
        throw new IllegalArgumentException(
            "expectedChunks must be in [1024, 4294967296] but was " + expectedChunks);
      }
      if (!(filterFalsePositiveRate >= 1e-6 && filterFalsePositiveRate <= 0.25)) {
        throw new IllegalArgumentException(
            "filterFalsePositiveRate must be in [1e-6, 0.25] but was " + filterFalsePositiveRate);
      }
      if (indexCacheBytes < 1L << 20 || indexCacheBytes > 64L << 30) {
        throw new IllegalArgumentException(
            "indexCacheBytes must be in [1048576, 68719476736] (1 MiB to 64 GiB) but was "
                + indexCacheBytes);
      }
      int maxFactor = replicaNodes.size() + 1;
      if (replicationFactor < 1 || replicationFactor > maxFactor) {
        throw new IllegalArgumentException(
            "replicationFactor must be in [1, nodes + 1] = [1, "
                + maxFactor
                + "] (the local copy plus one per node) but was "
                + replicationFactor);
      }
      Set<String> ids = new HashSet<>();
      for (StorageNode n : replicaNodes) {
        String id = n.id();
        if (id == null || id.isEmpty()) {
          throw new IllegalArgumentException(
              "nodes: a node id must not be empty but was '" + id + "'");
        }
        if (!ids.add(id)) {
          throw new IllegalArgumentException(
              "nodes: node ids must be unique but '" + id + "' appears twice");
        }
      }
      if (tierDirectories.containsKey(Tier.HOT)) {
        throw new IllegalArgumentException(
            "tierDirectory: the HOT tier always uses the repository's packs/ directory; only COLD"
                + " and ARCHIVAL can be placed elsewhere, but HOT was set to "
                + tierDirectories.get(Tier.HOT));
      }
      Path cold = tierDirectories.get(Tier.COLD);
      Path archival = tierDirectories.get(Tier.ARCHIVAL);
      if (cold != null
          && archival != null
          && cold.toAbsolutePath().normalize().equals(archival.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException(
            "tierDirectory: COLD and ARCHIVAL must use different directories but both were "
                + cold);
      }
      if (!tierMigrationInterval.isZero()
          && (tierMigrationInterval.compareTo(Duration.ofSeconds(1)) < 0
              || tierMigrationInterval.compareTo(Duration.ofDays(7)) > 0)) {
        throw new IllegalArgumentException(
            "tierMigrationInterval must be 0 (off) or in [PT1S, PT168H] but was "
                + tierMigrationInterval);
      }
      return new StorageConfig(this);
    }
  }
}
