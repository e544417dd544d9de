package io.dsblocks.cache.tier;

import io.dsblocks.cache.CacheTier;
import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.internal.tier.ExpiryHeader;
import io.dsblocks.cache.internal.tier.InFlightGuard;
import io.dsblocks.cache.internal.tier.TierFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * The L2 tier: a node-local cache level off the Java heap, optionally persisted to a file so that
 * it survives a process restart, built on <a
 * href="https://github.com/OpenHFT/Chronicle-Map">Chronicle Map</a>.
 *
 * <pre>{@code
 * ChronicleMapTier<String, User> l2 = ChronicleMapTier.builder(Codec.utf8(), userCodec)
 *     .name("users-l2")
 *     .persistedTo(Path.of("/var/cache/app/users.l2"))  // or inMemory()
 *     .entries(1_000_000)                               // required: the expected entry count
 *     .averageKeySize(24)                               // encoded bytes (or averageKey(sample))
 *     .averageValueSize(300)                            // encoded bytes (or averageValue(sample))
 *     .build();
 * DsCache<String, User> users = Caches.create(
 *     CacheConfig.<String, User>builder().maximumSize(10_000).loader(dao::find).tier(l2).build());
 * ...
 * users.close();
 * l2.close();   // the tier's owner closes it; DsCache.close() does not
 * }</pre>
 *
 * <p><b>Storage.</b> Keys and values are stored as bytes produced by the given {@link Codec}s, so
 * any type works. In front of each value are 8 bytes holding its absolute wall-clock expiry (epoch
 * milliseconds from the {@linkplain Builder#clock clock}), because a persistent tier outlives the
 * process and a relative TTL would restart on every reopen. An expired entry is never returned; it
 * is removed when it is next read (there is no background sweeper, so expired entries occupy space
 * until read, overwritten or cleared). A wall clock that steps backwards lengthens TTLs by the
 * step.
 *
 * <p><b>Sizing and a full map.</b> Chronicle Map is sized at creation for {@linkplain
 * Builder#entries entries} of the {@linkplain Builder#averageKeySize average key} and {@linkplain
 * Builder#averageValueSize value} sizes; it can grow to {@linkplain Builder#maxBloatFactor
 * maxBloatFactor} times that, and then refuses new entries. A refused put never crashes the JVM and
 * never leaves an older value of the key behind (that would be served stale): with {@link
 * WhenFull#FAIL} (the default) the key is removed and the put throws a {@link CacheTierException}
 * naming the configured size and how to raise it, and every entry already stored stays readable;
 * with {@link WhenFull#CLEAR} the tier drops all its entries and stores the new one. The resize
 * path is to raise {@code entries} (or {@code maxBloatFactor}) and restart: a file created with
 * other sizing is recreated with the new one when it is opened (its content is lost, which for a
 * cache costs loads, not data).
 *
 * <p><b>Restarts.</b> A persisted tier keeps its entries across {@link #close()} and reopen and
 * across a killed process (the data lives in a memory-mapped file; only a machine crash may lose
 * recent writes). Next to the file, {@code <file>.tier} holds the sizing the file was made with and
 * whether it was closed cleanly, and is locked while the tier is open, so a second open of the same
 * file fails clearly. After an unclean stop the file is opened with Chronicle Map's recovery; see
 * {@link #openOutcome()}. For several nodes sharing a loader behind an invalidation bus, see {@link
 * Builder#clearOnOpen}.
 *
 * <p><b>JVM flags.</b> On Java 17+ Chronicle Map needs {@code --add-opens}/{@code --add-exports}
 * flags, listed in ds-cache's {@code chronicle-jvm-flags.txt} (a {@code java} argument file, passed
 * with an at sign before its name); without them {@link Builder#build()} throws a {@link
 * CacheTierException} that says so. Chronicle Map is an optional dependency of ds-cache: add {@code
 * net.openhft:chronicle-map} to use this class.
 *
 * <p>Thread-safe: any number of threads may use a tier concurrently; {@link #close()} waits for
 * operations in progress and later operations throw {@link CacheTierException}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ChronicleMapTier<K, V> implements CacheTier<K, V>, AutoCloseable {

  /** What a put does when the map has no room for a new entry. */
  public enum WhenFull {
    /**
     * Remove the key (so no older value of it is served) and throw a {@link CacheTierException}
     * that names the configured size; other entries are kept. A {@code DsCache} counts the error
     * and carries on.
     */
    FAIL,
    /**
     * Drop every entry of the tier and store the new one: a crude eviction for deployments that
     * prefer a cold L2 to a failing one. {@link #fullCount()} counts these events.
     */
    CLEAR
  }

  /** How {@link Builder#build()} opened the tier's storage. */
  public enum OpenOutcome {
    /** Off-heap memory only; nothing to open. */
    IN_MEMORY,
    /** No file existed; a new, empty one was created. */
    CREATED,
    /** The file was closed cleanly and was reopened with its entries. */
    REOPENED,
    /**
     * The previous owner stopped without closing (killed, crashed): the file was opened with
     * Chronicle Map's recovery, which releases locks the dead process held and drops entries that
     * fail their checksum; the other entries are kept.
     */
    RECOVERED,
    /**
     * The file was made with other sizing (or another Chronicle Map version) or could not be opened
     * or recovered, so it was deleted and created empty with the configured sizing.
     */
    RECREATED
  }

  private static final String DEFAULT_NAME = "chronicle-l2";

  private final String name;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final InstantSource clock;
  private final WhenFull whenFull;
  private final long entries;
  private final double maxBloatFactor;
  private final int averageValueSize;
  private final Path file;
  private final TierFile tierFile;
  private final ChronicleMap<byte[], byte[]> map;
  private final OpenOutcome openOutcome;
  private final boolean clearedOnOpen;
  private final InFlightGuard guard = new InFlightGuard();
  private final LongAdder fullCount = new LongAdder();
  private final AtomicLong clearsWhenFull = new AtomicLong();
  private final Object clearLock = new Object();

  private ChronicleMapTier(
      Builder<K, V> b,
      int keySize,
      int valueSize,
      TierFile tierFile,
      ChronicleMap<byte[], byte[]> map,
      OpenOutcome outcome,
      boolean clearedOnOpen) {
    this.name = b.name;
    this.keyCodec = b.keyCodec;
    this.valueCodec = b.valueCodec;
    this.clock = b.clock;
    this.whenFull = b.whenFull;
    this.entries = b.entries;
    this.maxBloatFactor = b.maxBloatFactor;
    this.averageValueSize = valueSize;
    this.file = b.file;
    this.tierFile = tierFile;
    this.map = map;
    this.openOutcome = outcome;
    this.clearedOnOpen = clearedOnOpen;
  }

  /**
   * Starts a builder.
   *
   * @param keyCodec turns keys into the bytes stored (equal keys must encode to equal bytes)
   * @param valueCodec turns values into the bytes stored and back
   * @param <K> key type
   * @param <V> value type
   * @return a builder
   */
  public static <K, V> Builder<K, V> builder(Codec<K> keyCodec, Codec<V> valueCodec) {
    return new Builder<>(keyCodec, valueCodec);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns false: this tier is local to the node (a file on this machine, or this process's
   * memory).
   *
   * @return false
   */
  @Override
  public boolean shared() {
    return false;
  }

  /**
   * Returns the value of {@code key}, or null when absent or expired (an expired entry is removed).
   *
   * @param key the key
   * @return the value, or null
   * @throws CacheTierException if the tier is closed or the value cannot be read or decoded
   */
  @Override
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    int slot = enter("get", key);
    try {
      byte[] k = keyCodec.encode(key);
      byte[] stored = readLive(k);
      // Decode in place after the expiry header: no copy of the payload.
      return stored == null
          ? null
          : valueCodec.decode(stored, ExpiryHeader.SIZE, stored.length - ExpiryHeader.SIZE);
    } catch (CacheTierException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure("get", key, e);
    } finally {
      guard.exit(slot);
    }
  }

  /**
   * Returns the stored bytes (expiry header, then the value's bytes), or null when absent or
   * expired; removes an expired entry. A plain {@code map.get} is used rather than a query context
   * reading the header in place: Chronicle's external context costs about twice a get here, far
   * more than copying ~100 bytes.
   */
  private byte[] readLive(byte[] k) {
    byte[] stored = map.get(k);
    if (stored == null) {
      return null;
    }
    if (stored.length < ExpiryHeader.SIZE
        || ExpiryHeader.expired(ExpiryHeader.expiresAt(stored), clock.millis())) {
      removeIfExpired(k);
      return null;
    }
    return stored;
  }

  private boolean isExpired(Data<byte[]> v) {
    RandomDataInput in = v.bytes();
    long at = in.readLong(v.offset()); // native order, as ExpiryHeader wrote it
    return ExpiryHeader.expired(at, clock.millis());
  }

  /** Removes the entry only if it is still expired: a put may have replaced it since our read. */
  private void removeIfExpired(byte[] k) {
    try (ExternalMapQueryContext<byte[], byte[], ?> c = map.queryContext(k)) {
      c.updateLock().lock();
      MapEntry<byte[], byte[]> e = c.entry();
      if (e != null && (e.value().size() < ExpiryHeader.SIZE || isExpired(e.value()))) {
        c.remove(e);
      }
    }
  }

  /**
   * Stores a value that expires after {@code ttl} (measured on the wall clock, so it survives a
   * restart), or never when {@code ttl} is null. A zero or negative TTL removes the key.
   *
   * @param key the key
   * @param value the value
   * @param ttl how long the value may be served, or null for no limit
   * @throws CacheTierException if the tier is closed or full (see {@link WhenFull}), or the value
   *     cannot be encoded
   */
  @Override
  public void put(K key, V value, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (ttl != null && (ttl.isZero() || ttl.isNegative())) {
      remove(key);
      return;
    }
    int slot = enter("put", key);
    byte[] k;
    try {
      k = keyCodec.encode(key);
      long expiresAt = ExpiryHeader.NEVER;
      if (ttl != null) {
        expiresAt = ExpiryHeader.expiryFor(clock.millis(), ttl);
      }
      byte[] stored = ExpiryHeader.prepend(expiresAt, valueCodec.encode(value));
      long clearsBefore = whenFull == WhenFull.CLEAR ? clearsWhenFull.get() : 0;
      try {
        map.put(k, stored);
      } catch (IllegalStateException | IllegalArgumentException refused) {
        onRefused(key, k, stored, clearsBefore, refused);
      }
    } catch (CacheTierException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure("put", key, e);
    } finally {
      guard.exit(slot);
    }
  }

  /**
   * Chronicle Map refused an entry: IllegalStateException when the segment has no room left ("could
   * not allocate an extra segment tier"), IllegalArgumentException when the one entry is too large
   * for the chunk size derived from the average sizes.
   */
  private void onRefused(
      K key, byte[] k, byte[] stored, long clearsBefore, RuntimeException refused) {
    boolean tooLarge = refused instanceof IllegalArgumentException;
    if (!tooLarge) {
      fullCount.increment();
      if (whenFull == WhenFull.CLEAR) {
        // Many threads may hit "full" at once: one clears, the others just retry.
        synchronized (clearLock) {
          if (clearsWhenFull.get() == clearsBefore) {
            map.clear();
            clearsWhenFull.incrementAndGet();
          }
        }
        try {
          map.put(k, stored);
          return;
        } catch (IllegalStateException | IllegalArgumentException again) {
          refused = again;
          tooLarge = again instanceof IllegalArgumentException;
        }
      }
    }
    // The key may still hold an older value: left there, it would be served stale after L1
    // drops the new one. Removing frees space, so it cannot fail for lack of it.
    map.remove(k);
    String why =
        tooLarge
            ? "its value is "
                + (stored.length - ExpiryHeader.SIZE)
                + " bytes encoded, too large for a map sized for averageValueSize="
                + averageValueSize
                + " (an entry may take at most a few dozen times the average); raise"
                + " averageValueSize in ChronicleMapTier.builder()"
            : "the map is full: it was sized for entries="
                + entries
                + " (maxBloatFactor="
                + maxBloatFactor
                + ") and holds "
                + map.longSize()
                + " entries; raise entries (or maxBloatFactor) in ChronicleMapTier.builder() and"
                + " restart (a file made with other sizing is recreated with the new one)";
    throw new CacheTierException(
        "tier '"
            + name
            + "': cannot store key "
            + key
            + ": "
            + why
            + ". Any older value of the key was removed; the other entries are intact."
            + " (Chronicle Map: "
            + refused.getMessage()
            + ")",
        refused);
  }

  /**
   * Removes {@code key}; removing an absent key is not an error.
   *
   * @param key the key
   * @throws CacheTierException if the tier is closed or the key cannot be encoded
   */
  @Override
  public void remove(K key) {
    Objects.requireNonNull(key, "key");
    int slot = enter("remove", key);
    try {
      map.remove(keyCodec.encode(key));
    } catch (RuntimeException e) {
      throw failure("remove", key, e);
    } finally {
      guard.exit(slot);
    }
  }

  /**
   * Removes every entry.
   *
   * @throws CacheTierException if the tier is closed
   */
  @Override
  public void clear() {
    int slot = enter("clear", null);
    try {
      map.clear();
    } catch (RuntimeException e) {
      throw failure("clear", null, e);
    } finally {
      guard.exit(slot);
    }
  }

  /**
   * Returns the number of entries stored, expired ones not yet removed included.
   *
   * @return the entry count
   * @throws CacheTierException if the tier is closed
   */
  public long size() {
    int slot = enter("size", null);
    try {
      return map.longSize();
    } finally {
      guard.exit(slot);
    }
  }

  /**
   * Returns how many puts found the map full (with {@link WhenFull#CLEAR}: how many times it was
   * cleared or about to be).
   *
   * @return the count since this tier was opened
   */
  public long fullCount() {
    return fullCount.sum();
  }

  /**
   * Returns how the storage was opened: in memory, created, reopened, recovered after an unclean
   * stop, or recreated.
   *
   * @return the outcome
   */
  public OpenOutcome openOutcome() {
    return openOutcome;
  }

  /**
   * Returns whether {@link Builder#clearOnOpen} dropped the entries found on open.
   *
   * @return true if entries were cleared on open
   */
  public boolean clearedOnOpen() {
    return clearedOnOpen;
  }

  /**
   * Returns the file the tier is persisted to, or empty for an in-memory tier.
   *
   * @return the file
   */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return guard.isClosed();
  }

  /**
   * Closes the tier: waits for operations in progress, releases the off-heap memory or unmaps the
   * file (a persisted file keeps every entry and is marked cleanly closed), and releases the file's
   * lock. Idempotent; operations after close throw {@link CacheTierException}.
   */
  @Override
  public void close() {
    if (!guard.close()) {
      return;
    }
    try {
      map.close();
    } finally {
      if (tierFile != null) {
        try {
          tierFile.markClosed();
        } finally {
          tierFile.close();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "ChronicleMapTier[name="
        + name
        + ", "
        + (file == null ? "in-memory" : "file=" + file)
        + ", entries="
        + entries
        + (guard.isClosed() ? ", closed" : "")
        + "]";
  }

  private int enter(String operation, Object key) {
    int slot = guard.enter();
    if (slot < 0) {
      throw new CacheTierException(
          "tier '" + name + "' is closed; cannot " + operation + (key == null ? "" : " key " + key),
          null);
    }
    return slot;
  }

  private CacheTierException failure(String operation, Object key, RuntimeException e) {
    return new CacheTierException(
        "tier '"
            + name
            + "': "
            + operation
            + (key == null ? "" : " of key " + key)
            + " failed: "
            + e,
        e);
  }

  /**
   * Builds a {@link ChronicleMapTier}; every option is validated by {@link #build()}.
   *
   * <p>Not thread-safe; build on one thread.
   *
   * @param <K> key type
   * @param <V> value type
   */
  public static final class Builder<K, V> {
    private static final long MAX_ENTRIES = 1L << 40;
    private static final int MAX_AVERAGE_SIZE = 1 << 24;
    private static final int UNSET = -1;

    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private String name = DEFAULT_NAME;
    private Path file;
    private long entries = UNSET;
    private int averageKeySize = UNSET;
    private int averageValueSize = UNSET;
    private K averageKey;
    private V averageValue;
    private double maxBloatFactor = 1.0;
    private WhenFull whenFull = WhenFull.FAIL;
    private boolean clearOnOpen;
    private InstantSource clock = InstantSource.system();

    private Builder(Codec<K> keyCodec, Codec<V> valueCodec) {
      this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
      this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
    }

    /**
     * Sets the tier's name, used in errors, events and as the Chronicle Map's name (default {@code
     * "chronicle-l2"}).
     *
     * @param name a non-blank name
     * @return this builder
     */
    public Builder<K, V> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Persists the tier to {@code file}, which then survives close and process restarts. The tier
     * owns the file and a {@code <file>.tier} metadata file next to it; the parent directory is
     * created if needed.
     *
     * @param file the map file
     * @return this builder
     */
    public Builder<K, V> persistedTo(Path file) {
      this.file = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Keeps the tier in off-heap memory of this process only (the default): its entries are lost on
     * close.
     *
     * @return this builder
     */
    public Builder<K, V> inMemory() {
      this.file = null;
      return this;
    }

    /**
     * Sets how many entries the map is sized for (required). Chronicle Map allocates for this many
     * up front; see {@link #maxBloatFactor} for how far beyond it the map may grow.
     *
     * @param entries the expected number of entries, in [1, 2^40]
     * @return this builder
     */
    public Builder<K, V> entries(long entries) {
      this.entries = entries;
      return this;
    }

    /**
     * Sets the average size in bytes of an encoded key (this or {@link #averageKey} is required).
     *
     * @param bytes the average key size, in [1, 2^24]
     * @return this builder
     */
    public Builder<K, V> averageKeySize(int bytes) {
      this.averageKeySize = bytes;
      this.averageKey = null;
      return this;
    }

    /**
     * Sets a typical key, whose encoded size is used as the average key size.
     *
     * @param sample a typical key
     * @return this builder
     */
    public Builder<K, V> averageKey(K sample) {
      this.averageKey = Objects.requireNonNull(sample, "sample");
      this.averageKeySize = UNSET;
      return this;
    }

    /**
     * Sets the average size in bytes of an encoded value (this or {@link #averageValue} is
     * required). The 8-byte expiry header is added internally; do not count it.
     *
     * @param bytes the average value size, in [1, 2^24]
     * @return this builder
     */
    public Builder<K, V> averageValueSize(int bytes) {
      this.averageValueSize = bytes;
      this.averageValue = null;
      return this;
    }

    /**
     * Sets a typical value, whose encoded size is used as the average value size.
     *
     * @param sample a typical value
     * @return this builder
     */
    public Builder<K, V> averageValue(V sample) {
      this.averageValue = Objects.requireNonNull(sample, "sample");
      this.averageValueSize = UNSET;
      return this;
    }

    /**
     * Sets how far beyond {@link #entries} the map may grow before it is full (default 1.0, a
     * little headroom only). Chronicle Map grows by chaining extra segment tiers, which makes
     * lookups in those segments slower, so prefer sizing {@code entries} right and use this as a
     * safety margin.
     *
     * @param factor the growth factor, in [1.0, 1000.0]
     * @return this builder
     */
    public Builder<K, V> maxBloatFactor(double factor) {
      this.maxBloatFactor = factor;
      return this;
    }

    /**
     * Sets what a put does when the map has no room (default {@link WhenFull#FAIL}).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder<K, V> whenFull(WhenFull policy) {
      this.whenFull = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Drops the entries found in the file when the tier opens (default false; persisted tiers
     * only).
     *
     * <p>Why: with several nodes, each with its own L2, invalidations travel over a bus while the
     * nodes run. A node that was down missed the invalidations sent meanwhile, so its L2 file may
     * hold values that other nodes have since changed, and after a restart it would serve them
     * without asking the loader. Turn this on unless values are immutable, or versioned and
     * checked, or bounded by a TTL short enough that serving a stale value until it expires is
     * acceptable. A single node (every write goes through its own cache) does not need it. The file
     * is still reused (no re-allocation), only emptied.
     *
     * @param clear true to start empty
     * @return this builder
     */
    public Builder<K, V> clearOnOpen(boolean clear) {
      this.clearOnOpen = clear;
      return this;
    }

    /**
     * Sets the wall clock used to compute and check expiry (default {@link
     * InstantSource#system()}). Wall-clock, not a monotonic ticker, because expiry times are stored
     * and must mean the same after a restart.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder<K, V> clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Validates the options and opens the tier (creating, reopening, recovering or recreating its
     * file; see {@link OpenOutcome}).
     *
     * @return the open tier; the caller owns it and must {@link ChronicleMapTier#close() close} it
     * @throws IllegalArgumentException if an option is missing or out of range
     * @throws CacheTierException if Chronicle Map cannot start (missing JVM flags) or the file
     *     cannot be opened or is open elsewhere
     */
    public ChronicleMapTier<K, V> build() {
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      if (entries == UNSET) {
        throw new IllegalArgumentException(
            "entries is required: the number of entries the map is sized for, in [1, "
                + MAX_ENTRIES
                + "]");
      }
      if (entries < 1 || entries > MAX_ENTRIES) {
        throw new IllegalArgumentException(
            "entries must be in [1, " + MAX_ENTRIES + "] but was " + entries);
      }
      int keySize =
          averageSize("averageKeySize", "averageKey", averageKeySize, averageKey, keyCodec);
      int valueSize =
          averageSize(
              "averageValueSize", "averageValue", averageValueSize, averageValue, valueCodec);
      if (!(maxBloatFactor >= 1.0 && maxBloatFactor <= 1000.0)) {
        throw new IllegalArgumentException(
            "maxBloatFactor must be in [1.0, 1000.0] but was " + maxBloatFactor);
      }
      if (clearOnOpen && file == null) {
        throw new IllegalArgumentException(
            "clearOnOpen applies to a persisted tier (persistedTo(file)); an in-memory tier always"
                + " starts empty");
      }
      ChronicleMapBuilder<byte[], byte[]> cmb;
      try {
        cmb =
            ChronicleMap.of(byte[].class, byte[].class)
                .name(name)
                .entries(entries)
                .averageKeySize(keySize)
                .averageValueSize(valueSize + ExpiryHeader.SIZE)
                .maxBloatFactor(maxBloatFactor)
                // The tier never needs the previous value: skip deserialising it.
                .putReturnsNull(true)
                .removeReturnsNull(true);
      } catch (LinkageError | RuntimeException e) {
        throw cannotStart(e);
      }
      if (file == null) {
        try {
          return new ChronicleMapTier<>(
              this, keySize, valueSize, null, cmb.create(), OpenOutcome.IN_MEMORY, false);
        } catch (LinkageError | RuntimeException e) {
          throw cannotStart(e);
        }
      }
      String sizing =
          "entries="
              + entries
              + ",averageKeySize="
              + keySize
              + ",averageValueSize="
              + valueSize
              + ",maxBloatFactor="
              + maxBloatFactor
              + ",chronicleMap="
              + Objects.requireNonNullElse(
                  ChronicleMap.class.getPackage().getImplementationVersion(), "unknown");
      TierFile tf = TierFile.acquire(file, name, sizing);
      try {
        TierFile.Opened opened = tf.open(cmb);
        ChronicleMap<byte[], byte[]> m = opened.map();
        boolean cleared = false;
        if (clearOnOpen && opened.outcome() != OpenOutcome.CREATED && !m.isEmpty()) {
          m.clear();
          cleared = true;
        }
        return new ChronicleMapTier<>(this, keySize, valueSize, tf, m, opened.outcome(), cleared);
      } catch (CacheTierException e) {
        tf.close();
        throw e;
      } catch (LinkageError | RuntimeException e) {
        tf.close();
        throw cannotStart(e);
      }
    }

    private <T> int averageSize(String field, String sampleField, int size, T sample, Codec<T> c) {
      if (sample != null) {
        return Math.max(1, c.encode(sample).length);
      }
      if (size == UNSET) {
        throw new IllegalArgumentException(
            field
                + " (or "
                + sampleField
                + "(sample)) is required: the average encoded size in bytes, in [1, "
                + MAX_AVERAGE_SIZE
                + "]");
      }
      if (size < 1 || size > MAX_AVERAGE_SIZE) {
        throw new IllegalArgumentException(
            field + " must be in [1, " + MAX_AVERAGE_SIZE + "] but was " + size);
      }
      return size;
    }

    private CacheTierException cannotStart(Throwable e) {
      return new CacheTierException(
          "tier '"
              + name
              + "': Chronicle Map could not start ("
              + e
              + "). On Java 17+ it needs JVM flags such as --add-opens=java.base/java.lang=ALL-UNNAMED"
              + " and --add-exports=java.base/sun.nio.ch=ALL-UNNAMED: start the JVM with"
              + " @chronicle-jvm-flags.txt from ds-cache (the list is in TIER-L2.md)",
          e);
    }
  }
}
