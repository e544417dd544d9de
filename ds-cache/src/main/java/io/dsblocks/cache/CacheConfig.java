package io.dsblocks.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.ToIntBiFunction;

/**
 * Immutable configuration of a {@link DsCache}: bound and eviction policy, expiry, loading, how
 * writes reach a {@link CacheStore}, statistics, listeners and the ticker.
 *
 * <pre>{@code
 * CacheConfig<String, User> config = CacheConfig.<String, User>builder()
 *     .name("users")
 *     .maximumSize(10_000)
 *     .expireAfterWrite(Duration.ofMinutes(5))
 *     .refreshAfterWrite(Duration.ofMinutes(1))
 *     .loader(userDao::find)
 *     .negativeCaching(Duration.ofSeconds(10))
 *     .recordStats()
 *     .build();
 * DsCache<String, User> users = Caches.create(config);
 * }</pre>
 *
 * <p>Options and policies: {@link EvictionPolicy#WINDOW_TINY_LFU} (the default) supports every
 * option; {@link EvictionPolicy#LRU} and {@link EvictionPolicy#LFU} support a {@linkplain
 * Builder#maximumSize size bound} only (no weight, expiry, refresh or negative caching), which
 * {@link Builder#build()} enforces.
 *
 * <p>Instances are immutable and thread-safe (the loader, store and listeners they hold must be
 * thread-safe themselves).
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class CacheConfig<K, V> {
  /** Marks an option that was not set. */
  static final long UNSET = -1;

  private final String name;
  private final EvictionPolicy policy;
  private final long maximumSize;
  private final long maximumWeight;
  private final ToIntBiFunction<K, V> weigher;
  private final Duration expireAfterWrite;
  private final Duration expireAfterAccess;
  private final TtlFunction<K, V> ttlFunction;
  private final Duration refreshAfterWrite;
  private final Executor refreshExecutor;
  private final Executor executor;
  private final CacheLoader<K, V> loader;
  private final Duration negativeTtl;
  private final boolean recordStats;
  private final Ticker ticker;
  private final WriteMode writeMode;
  private final CacheStore<K, V> store;
  private final WriteBackConfig<K, V> writeBack;
  private final List<CacheListener<K, V>> listeners;
  private final List<CacheTier<K, V>> tiers;

  private CacheConfig(Builder<K, V> b) {
    this.name = b.name;
    this.policy = b.policy;
    this.maximumSize = b.maximumSize;
    this.maximumWeight = b.maximumWeight;
    this.weigher = b.weigher;
    this.expireAfterWrite = b.expireAfterWrite;
    this.expireAfterAccess = b.expireAfterAccess;
    this.ttlFunction = b.ttlFunction;
    this.refreshAfterWrite = b.refreshAfterWrite;
    this.refreshExecutor = b.refreshExecutor;
    this.executor = b.executor;
    this.loader = b.loader;
    this.negativeTtl = b.negativeTtl;
    this.recordStats = b.recordStats;
    this.ticker = b.ticker;
    this.writeMode = b.writeMode;
    this.store = b.store;
    this.writeBack = b.writeBack;
    this.listeners = List.copyOf(b.listeners);
    this.tiers = List.copyOf(b.tiers);
  }

  /**
   * Returns a builder with the defaults: W-TinyLFU, unbounded, no expiry, no loader, no store, no
   * statistics, the system ticker.
   *
   * @param <K> key type
   * @param <V> value type
   * @return a new builder
   */
  public static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /**
   * Returns the cache name, used in thread names and error messages.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the eviction policy.
   *
   * @return the policy
   */
  public EvictionPolicy policy() {
    return policy;
  }

  /**
   * Returns the entry-count bound, or -1 if none.
   *
   * @return the bound
   */
  public long maximumSize() {
    return maximumSize;
  }

  /**
   * Returns the weight bound, or -1 if none.
   *
   * @return the bound
   */
  public long maximumWeight() {
    return maximumWeight;
  }

  /**
   * Returns the weigher used with {@link #maximumWeight()}, or null.
   *
   * @return the weigher
   */
  public ToIntBiFunction<K, V> weigher() {
    return weigher;
  }

  /**
   * Returns the default time to live after a write, or null.
   *
   * @return the duration
   */
  public Duration expireAfterWrite() {
    return expireAfterWrite;
  }

  /**
   * Returns the time an entry may stay unread, or null.
   *
   * @return the duration
   */
  public Duration expireAfterAccess() {
    return expireAfterAccess;
  }

  /**
   * Returns the per-entry time-to-live function, or null.
   *
   * @return the function
   */
  public TtlFunction<K, V> ttlFunction() {
    return ttlFunction;
  }

  /**
   * Returns the age after which a read triggers a background reload, or null.
   *
   * @return the duration
   */
  public Duration refreshAfterWrite() {
    return refreshAfterWrite;
  }

  /**
   * Returns the executor of background refreshes, or null for a thread owned by the cache.
   *
   * @return the executor
   */
  public Executor refreshExecutor() {
    return refreshExecutor;
  }

  /**
   * Returns the executor of W-TinyLFU maintenance (eviction, expiry clean-up, eviction listener
   * calls), or null for Caffeine's default, {@link java.util.concurrent.ForkJoinPool#commonPool()}.
   *
   * @return the executor
   */
  public Executor executor() {
    return executor;
  }

  /**
   * Returns the loader, or null (then the store's {@link CacheStore#load}, if any, is used).
   *
   * @return the loader
   */
  public CacheLoader<K, V> loader() {
    return loader;
  }

  /**
   * Returns how long a load that found no value is remembered, or null if it is not.
   *
   * @return the duration
   */
  public Duration negativeTtl() {
    return negativeTtl;
  }

  /**
   * Tells whether hit, miss, load and eviction counters are kept.
   *
   * @return true if statistics are recorded
   */
  public boolean recordStats() {
    return recordStats;
  }

  /**
   * Returns the time source of expiry, refresh and load timing.
   *
   * @return the ticker
   */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * Returns how writes reach the store.
   *
   * @return the mode
   */
  public WriteMode writeMode() {
    return writeMode;
  }

  /**
   * Returns the store, or null.
   *
   * @return the store
   */
  public CacheStore<K, V> store() {
    return store;
  }

  /**
   * Returns the write-back settings (defaults unless set).
   *
   * @return the settings
   */
  public WriteBackConfig<K, V> writeBack() {
    return writeBack;
  }

  /**
   * Returns the listeners, in registration order.
   *
   * @return an unmodifiable list
   */
  public List<CacheListener<K, V>> listeners() {
    return listeners;
  }

  /**
   * Returns the tiers below L1, in lookup order.
   *
   * @return an unmodifiable list, empty for a heap-only cache
   */
  public List<CacheTier<K, V>> tiers() {
    return tiers;
  }

  /**
   * Builds a {@link CacheConfig}; values are checked in {@link #build()}.
   *
   * <p>Not thread-safe.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Builder<K, V> {
    private String name = "cache";
    private EvictionPolicy policy = EvictionPolicy.WINDOW_TINY_LFU;
    private long maximumSize = UNSET;
    private long maximumWeight = UNSET;
    private ToIntBiFunction<K, V> weigher;
    private Duration expireAfterWrite;
    private Duration expireAfterAccess;
    private TtlFunction<K, V> ttlFunction;
    private Duration refreshAfterWrite;
    private Executor refreshExecutor;
    private Executor executor;
    private CacheLoader<K, V> loader;
    private Duration negativeTtl;
    private boolean recordStats;
    private Ticker ticker = Ticker.systemTicker();
    private WriteMode writeMode = WriteMode.NONE;
    private CacheStore<K, V> store;
    private WriteBackConfig<K, V> writeBack;
    private final List<CacheListener<K, V>> listeners = new ArrayList<>();
    private final List<CacheTier<K, V>> tiers = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the name used in thread names and messages (1 to 100 characters).
     *
     * @param name the name
     * @return this builder
     */
    public Builder<K, V> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the eviction policy.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder<K, V> policy(EvictionPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Bounds the number of entries, in [0, 2^62].
     *
     * @param maximumSize the bound
     * @return this builder
     */
    public Builder<K, V> maximumSize(long maximumSize) {
      this.maximumSize = maximumSize;
      return this;
    }

    /**
     * Bounds the total weight of entries (W-TinyLFU only).
     *
     * @param maximumWeight the bound, in [0, 2^62]
     * @param weigher the weight of one entry, at least 0
     * @return this builder
     */
    public Builder<K, V> maximumWeight(long maximumWeight, ToIntBiFunction<K, V> weigher) {
      this.maximumWeight = maximumWeight;
      this.weigher = Objects.requireNonNull(weigher, "weigher");
      return this;
    }

    /**
     * Expires entries this long after they were written.
     *
     * @param duration in [1 ns, 100 years]
     * @return this builder
     */
    public Builder<K, V> expireAfterWrite(Duration duration) {
      this.expireAfterWrite = Objects.requireNonNull(duration, "expireAfterWrite");
      return this;
    }

    /**
     * Expires entries not read or written for this long.
     *
     * @param duration in [1 ns, 100 years]
     * @return this builder
     */
    public Builder<K, V> expireAfterAccess(Duration duration) {
      this.expireAfterAccess = Objects.requireNonNull(duration, "expireAfterAccess");
      return this;
    }

    /**
     * Chooses each entry's time to live from its key and value (overrides {@link #expireAfterWrite}
     * for the entries it is asked about; {@link DsCache#put(Object, Object, Duration)} overrides
     * both).
     *
     * @param ttlFunction the function
     * @return this builder
     */
    public Builder<K, V> expireAfter(TtlFunction<K, V> ttlFunction) {
      this.ttlFunction = Objects.requireNonNull(ttlFunction, "ttlFunction");
      return this;
    }

    /**
     * Reloads an entry in the background when it is read and older than {@code duration}; the
     * reader gets the current value at once (refresh-ahead). Needs a loader or a store.
     *
     * @param duration in [1 ns, 100 years]
     * @return this builder
     */
    public Builder<K, V> refreshAfterWrite(Duration duration) {
      this.refreshAfterWrite = Objects.requireNonNull(duration, "refreshAfterWrite");
      return this;
    }

    /**
     * Runs background refreshes on {@code executor} instead of a thread owned by the cache.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder<K, V> refreshExecutor(Executor executor) {
      this.refreshExecutor = Objects.requireNonNull(executor, "refreshExecutor");
      return this;
    }

    /**
     * Runs W-TinyLFU maintenance (applying buffered reads and writes to the eviction policy,
     * evicting, cleaning up expired entries, calling {@link CacheListener#onEviction}) on {@code
     * executor}. The default is Caffeine's, {@link java.util.concurrent.ForkJoinPool#commonPool()},
     * as Caffeine's author recommends: draining the read buffer on the reader's own thread ({@code
     * Runnable::run}) makes every hit pay for it, about 2x slower in {@code CacheGetBenchmark}.
     * Tests pass {@code Runnable::run} for deterministic eviction. Ignored by LRU and LFU, which
     * have no maintenance.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder<K, V> executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the read-through loader.
     *
     * @param loader the loader
     * @return this builder
     */
    public Builder<K, V> loader(CacheLoader<K, V> loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * Remembers for {@code ttl} that a load returned null, so repeated misses on a missing key do
     * not reach the loader (W-TinyLFU only).
     *
     * @param ttl in [1 ns, 100 years]
     * @return this builder
     */
    public Builder<K, V> negativeCaching(Duration ttl) {
      this.negativeTtl = Objects.requireNonNull(ttl, "negativeTtl");
      return this;
    }

    /**
     * Keeps hit, miss, load and eviction counters (a few nanoseconds per operation).
     *
     * @return this builder
     */
    public Builder<K, V> recordStats() {
      this.recordStats = true;
      return this;
    }

    /**
     * Sets the time source (tests inject a fake one).
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder<K, V> ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Writes through to {@code store}: the store first, then the cache.
     *
     * @param store the store
     * @return this builder
     */
    public Builder<K, V> writeThrough(CacheStore<K, V> store) {
      this.store = Objects.requireNonNull(store, "store");
      this.writeMode = WriteMode.WRITE_THROUGH;
      return this;
    }

    /**
     * Writes back to {@code store}: the cache first, then the store from a queue.
     *
     * @param store the store
     * @param settings the queue settings
     * @return this builder
     */
    public Builder<K, V> writeBack(CacheStore<K, V> store, WriteBackConfig<K, V> settings) {
      this.store = Objects.requireNonNull(store, "store");
      this.writeBack = Objects.requireNonNull(settings, "writeBack settings");
      this.writeMode = WriteMode.WRITE_BACK;
      return this;
    }

    /**
     * Adds a listener.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder<K, V> listener(CacheListener<K, V> listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds a tier below L1. Tiers are read in the order they are added (add the node-local L2
     * before a remote tier); a value found in one is promoted into L1 and every tier before it.
     *
     * @param tier the tier
     * @return this builder
     */
    public Builder<K, V> tier(CacheTier<K, V> tier) {
      Objects.requireNonNull(tier, "tier");
      for (CacheTier<K, V> t : tiers) {
        if (t == tier) {
          throw new IllegalArgumentException("tier '" + tier.name() + "' was added twice");
        }
      }
      tiers.add(tier);
      return this;
    }

    /**
     * Checks every value and their combination, and builds the config.
     *
     * @return the config
     * @throws IllegalArgumentException naming the field, value and allowed range or the conflicting
     *     options
     */
    public CacheConfig<K, V> build() {
      if (name.isEmpty() || name.length() > 100) {
        throw new IllegalArgumentException(
            "name must have 1 to 100 characters but had " + name.length());
      }
      long maxBound = 1L << 62;
      if (maximumSize != UNSET) {
        Checks.range("maximumSize", maximumSize, 0, maxBound);
      }
      if (maximumWeight != UNSET) {
        Checks.range("maximumWeight", maximumWeight, 0, maxBound);
        if (maximumSize != UNSET) {
          throw new IllegalArgumentException(
              "maximumSize ("
                  + maximumSize
                  + ") and maximumWeight ("
                  + maximumWeight
                  + ") are mutually exclusive; set one");
        }
      }
      Duration min = Duration.ofNanos(1);
      Duration max = Duration.ofDays(365L * 100);
      if (expireAfterWrite != null) {
        Checks.duration("expireAfterWrite", expireAfterWrite, min, max);
      }
      if (expireAfterAccess != null) {
        Checks.duration("expireAfterAccess", expireAfterAccess, min, max);
      }
      if (refreshAfterWrite != null) {
        Checks.duration("refreshAfterWrite", refreshAfterWrite, min, max);
        if (loader == null && store == null) {
          throw new IllegalArgumentException(
              "refreshAfterWrite (" + refreshAfterWrite + ") needs a loader or a store");
        }
      }
      if (negativeTtl != null) {
        Checks.duration("negativeTtl", negativeTtl, min, max);
      }
      if (policy != EvictionPolicy.WINDOW_TINY_LFU) {
        if (maximumSize == UNSET) {
          throw new IllegalArgumentException("policy " + policy + " needs maximumSize");
        }
        List<String> unsupported = new ArrayList<>();
        if (maximumWeight != UNSET) {
          unsupported.add("maximumWeight");
        }
        if (expireAfterWrite != null) {
          unsupported.add("expireAfterWrite");
        }
        if (expireAfterAccess != null) {
          unsupported.add("expireAfterAccess");
        }
        if (ttlFunction != null) {
          unsupported.add("expireAfter");
        }
        if (refreshAfterWrite != null) {
          unsupported.add("refreshAfterWrite");
        }
        if (negativeTtl != null) {
          unsupported.add("negativeCaching");
        }
        if (!unsupported.isEmpty()) {
          throw new IllegalArgumentException(
              "policy "
                  + policy
                  + " supports maximumSize only; unsupported options set: "
                  + unsupported
                  + " (use policy WINDOW_TINY_LFU)");
        }
      }
      if (writeMode == WriteMode.WRITE_BACK
          && writeBack.journal() != null
          && (writeBack.keyCodec() == null || writeBack.valueCodec() == null)) {
        throw new IllegalArgumentException("a write-back journal needs a key and a value codec");
      }
      return new CacheConfig<>(this);
    }
  }
}
