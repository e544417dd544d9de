package io.dsblocks.cache.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.CacheListener;
import io.dsblocks.cache.CacheLoadException;
import io.dsblocks.cache.CacheLoader;
import io.dsblocks.cache.CacheStats;
import io.dsblocks.cache.CacheStore;
import io.dsblocks.cache.CacheStoreException;
import io.dsblocks.cache.CacheTier;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.EvictionPolicy;
import io.dsblocks.cache.JournalReport;
import io.dsblocks.cache.RemovalCause;
import io.dsblocks.cache.TtlFunction;
import io.dsblocks.cache.Versioned;
import io.dsblocks.cache.WriteMode;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The cache core: one implementation for every policy and write mode.
 *
 * <p>Hit path: one {@link EntryMap#get} plus two predictable branches (refresh, stats), no
 * allocation; for W-TinyLFU without expiry or refresh, one Caffeine lookup that returns the value
 * itself ({@link PlainCaffeineEntryMap}). Miss path: a {@link Lease} per key in {@link #inflight}
 * gives single-flight loading and the generation guard. Write paths: in write-through and
 * write-back modes, writers of one key (and, with tiers, in every mode) are serialised by a striped
 * lock so that the store (or the queue), the cache and the tiers see the writes of a key in the
 * same order; loads never take it.
 */
public final class DefaultDsCache<K, V> implements DsCache<K, V> {
  private static final int STRIPES = 64; // power of two; enough for 2-core to 64-core writers

  private final CacheConfig<K, V> config;
  private final String name;
  private final EntryMap<K, V> map;
  private final PlainCaffeineEntryMap<K, V> plain; // same object as map, or null
  private final ConcurrentHashMap<K, Lease<V>> inflight = new ConcurrentHashMap<>();
  private final boolean leaseGuard;
  private final CacheLoader<K, V> loader;
  private final Ticker ticker;
  private final boolean recordStats;
  private final StatsCounter stats = new StatsCounter();
  private final CacheListener<K, V>[] listeners;
  private final boolean timed;
  private final long writeTtlNanos;
  private final long negativeTtlNanos;
  private final long refreshNanos;
  private final TtlFunction<K, V> ttlFunction;
  private final AtomicLong versions = new AtomicLong();
  private final WriteMode mode;
  private final CacheStore<K, V> store;
  private final ReentrantLock[] stripes;
  private final WriteBehindQueue<K, V> queue;
  private final Executor refreshExecutor;
  private final ExecutorService ownedRefreshExecutor;
  private final CacheTier<K, V>[] tiers;
  private volatile boolean closed;

  /**
   * Builds a cache.
   *
   * @param config the configuration
   * @param leaseGuard true in production; false only in tests that demonstrate the stale-load race
   *     the guard prevents
   */
  @SuppressWarnings("unchecked")
  public DefaultDsCache(CacheConfig<K, V> config, boolean leaseGuard) {
    this.config = Objects.requireNonNull(config, "config");
    this.name = config.name();
    this.leaseGuard = leaseGuard;
    this.ticker = config.ticker();
    this.recordStats = config.recordStats();
    this.listeners = (CacheListener<K, V>[]) config.listeners().toArray(new CacheListener<?, ?>[0]);
    this.tiers = (CacheTier<K, V>[]) config.tiers().toArray(new CacheTier<?, ?>[0]);
    this.mode = config.writeMode();
    this.store = config.store();
    this.loader = config.loader() != null ? config.loader() : store == null ? null : store::load;
    this.writeTtlNanos =
        config.expireAfterWrite() == null ? 0 : config.expireAfterWrite().toNanos();
    this.negativeTtlNanos = config.negativeTtl() == null ? 0 : config.negativeTtl().toNanos();
    this.refreshNanos =
        config.refreshAfterWrite() == null ? 0 : config.refreshAfterWrite().toNanos();
    this.ttlFunction = config.ttlFunction();
    this.timed =
        writeTtlNanos > 0
            || negativeTtlNanos > 0
            || ttlFunction != null
            || config.expireAfterAccess() != null;
    EvictionSink<K, V> sink = this::onEvicted;
    this.plain =
        config.policy() == EvictionPolicy.WINDOW_TINY_LFU && !timed && refreshNanos == 0
            ? new PlainCaffeineEntryMap<>(config, sink)
            : null;
    this.map =
        switch (config.policy()) {
          case WINDOW_TINY_LFU ->
              plain != null ? plain : new CaffeineEntryMap<>(config, timed, sink);
          case LRU -> new LruEntryMap<>(config.maximumSize(), sink);
          case LFU -> new LfuEntryMap<>(config.maximumSize(), sink);
        };
    if (mode == WriteMode.NONE && tiers.length == 0) {
      this.stripes = null;
    } else {
      this.stripes = new ReentrantLock[STRIPES];
      for (int i = 0; i < STRIPES; i++) {
        stripes[i] = new ReentrantLock();
      }
    }
    if (refreshNanos > 0 && config.refreshExecutor() == null) {
      this.ownedRefreshExecutor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "dsblocks-cache-refresh-" + name);
                t.setDaemon(true);
                return t;
              });
      this.refreshExecutor = ownedRefreshExecutor;
    } else {
      this.ownedRefreshExecutor = null;
      this.refreshExecutor = config.refreshExecutor();
    }
    if (mode == WriteMode.WRITE_BACK) {
      this.queue = new WriteBehindQueue<>(name, store, config.writeBack(), ticker, listeners);
      JournalReport report = queue.journalReport();
      if (report != null) {
        for (CacheListener<K, V> l : listeners) {
          try {
            l.onJournalRecovered(report);
          } catch (RuntimeException ignored) {
            // listeners cannot break the cache
          }
        }
      }
    } else {
      this.queue = null;
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public V getIfPresent(K key) {
    Objects.requireNonNull(key, "key");
    if (plain != null) {
      V v = plain.value(key);
      if (v != null) {
        if (recordStats) {
          stats.hits.increment();
        }
        return v;
      }
    } else {
      Entry<V> e = map.get(key);
      if (e != null) {
        onHit(key, e);
        return e.value;
      }
    }
    if (recordStats) {
      stats.misses.increment();
    }
    if (queue != null) {
      WriteBehindQueue.Op<V> op = queue.lookup(key);
      if (op != null) {
        return op.delete ? null : op.value;
      }
    }
    return null;
  }

  @Override
  public V get(K key) {
    Objects.requireNonNull(key, "key");
    if (plain != null) {
      V v = plain.value(key);
      if (v != null) {
        if (recordStats) {
          stats.hits.increment();
        }
        return v;
      }
    } else {
      Entry<V> e = map.get(key);
      if (e != null) {
        onHit(key, e);
        return e.value;
      }
    }
    if (recordStats) {
      stats.misses.increment();
    }
    return load(key);
  }

  @Override
  public Versioned<V> getVersioned(K key) {
    Objects.requireNonNull(key, "key");
    Entry<V> e = map.get(key);
    if (e == null) {
      if (recordStats) {
        stats.misses.increment();
      }
      return null;
    }
    onHit(key, e);
    return e.value == null ? null : new Versioned<>(e.value, e.version);
  }

  private void onHit(K key, Entry<V> e) {
    if (refreshNanos != 0 && ticker.read() >= e.refreshAt()) {
      scheduleRefresh(key, e);
    }
    if (recordStats) {
      stats.hits.increment();
    }
  }

  /** Single-flight read-through; see {@link Lease} for why the install is guarded. */
  private V load(K key) {
    if (loader == null && queue == null && tiers.length == 0) {
      throw new IllegalStateException(
          "cache '" + name + "' has no loader or store; use getIfPresent or configure a loader");
    }
    Lease<V> lease = new Lease<>(null); // installs only where the key is still absent
    Lease<V> running = inflight.putIfAbsent(key, lease);
    if (running != null) {
      if (running.fence) {
        // A compare-and-set is between its check and its install: read again once it is done.
        await(key, running);
        return load(key);
      }
      return await(key, running);
    }
    // Another thread may have installed the key between our miss and taking the lease. (A put
    // whose compute is still running is not visible yet on Caffeine; the install's identity check
    // catches it, see Lease.)
    Entry<V> current = map.get(key);
    if (current != null) {
      inflight.remove(key, lease);
      lease.result.complete(current.value);
      return current.value;
    }
    if (queue != null) {
      WriteBehindQueue.Op<V> op = queue.lookup(key);
      if (op != null) {
        // Not yet stored: the store has an older value, so the queue is the truth.
        V value = op.delete ? null : op.value;
        if (value != null) {
          install(key, lease, value, false);
        } else {
          inflight.remove(key, lease);
        }
        lease.result.complete(value);
        return value;
      }
    }
    for (int i = 0; i < tiers.length; i++) {
      V found = tierGet(tiers[i], key);
      if (found != null) {
        stats.tierHits.increment();
        // Promote only if L1 took it: if the key was written or invalidated meanwhile, the
        // tiers above already hold the newer state, and copying this value up would undo it.
        Entry<V> installed = install(key, lease, found, false);
        if (installed != null) {
          promote(key, installed, found, i);
        }
        lease.result.complete(found);
        return found;
      }
    }
    if (loader == null) {
      inflight.remove(key, lease);
      lease.result.complete(null);
      return null;
    }
    long start = ticker.read();
    V value;
    try {
      value = loader.load(key);
    } catch (Throwable t) {
      long took = ticker.read() - start;
      inflight.remove(key, lease);
      lease.result.completeExceptionally(t);
      if (recordStats) {
        stats.loadFailures.increment();
        stats.loadNanos.add(took);
      }
      notifyLoadFailure(key, t);
      if (t instanceof Error err) {
        throw err;
      }
      throw new CacheLoadException("cache '" + name + "': loading key " + key + " failed", t);
    }
    if (recordStats) {
      stats.loads.increment();
      stats.loadNanos.add(ticker.read() - start);
    }
    Entry<V> installed = install(key, lease, value, true);
    if (installed != null && value != null) {
      promote(key, installed, value, tiers.length);
    }
    lease.result.complete(value);
    return value;
  }

  private V await(K key, Lease<V> running) {
    try {
      return running.result.get();
    } catch (ExecutionException e) {
      throw new CacheLoadException(
          "cache '" + name + "': loading key " + key + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheLoadException(
          "cache '" + name + "': interrupted while waiting for the load of key " + key, e);
    }
  }

  /**
   * Installs a loaded value unless the lease was revoked or the entry is no longer the one the load
   * saw (see {@link Lease} for why both). The check and the install are one atomic compute on the
   * key, the same lock a put/delete/invalidate takes to revoke.
   */
  private Entry<V> install(K key, Lease<V> lease, V value, boolean loaded) {
    if (value == null && (negativeTtlNanos == 0 || !loaded)) {
      inflight.remove(key, lease);
      return null;
    }
    Entry<V> fresh = value == null ? negativeEntry() : newEntry(key, value, 0);
    boolean[] discarded = {false};
    map.compute(
        key,
        (k, old) -> {
          inflight.remove(k, lease); // this load is over either way; a revoke already removed it
          if (leaseGuard && (lease.revoked || old != lease.expected)) {
            discarded[0] = true;
            return old;
          }
          return fresh;
        });
    if (discarded[0]) {
      stats.staleDiscarded.increment();
      for (CacheListener<K, V> l : listeners) {
        try {
          l.onStaleLoadDiscarded(key);
        } catch (RuntimeException ignored) {
          // listeners cannot break the cache
        }
      }
      return null;
    }
    return fresh;
  }

  /** Reloads {@code key} in the background; {@code hit} is the entry the reload may replace. */
  private void scheduleRefresh(K key, Entry<V> hit) {
    if (inflight.containsKey(key)) {
      return;
    }
    // A write may have replaced or removed `hit` since it was read, revoking nothing because this
    // lease did not exist yet: the install's identity check against `hit` refuses that case.
    Lease<V> lease = new Lease<>(hit);
    if (inflight.putIfAbsent(key, lease) != null) {
      return;
    }
    try {
      refreshExecutor.execute(() -> refresh(key, lease));
    } catch (RejectedExecutionException e) {
      inflight.remove(key, lease);
      lease.result.complete(null);
    }
  }

  private void refresh(K key, Lease<V> lease) {
    if (queue != null && queue.lookup(key) != null) {
      // A write to this key is still queued: the store is older than the cache, so reloading
      // from it would bring back a stale value. The entry is refreshed after its write is stored.
      inflight.remove(key, lease);
      lease.result.complete(null);
      return;
    }
    long start = ticker.read();
    V value;
    try {
      value = loader.load(key);
    } catch (Throwable t) {
      // Keep serving the old value; the next read after refreshAt tries again.
      inflight.remove(key, lease);
      lease.result.completeExceptionally(t);
      if (recordStats) {
        stats.loadFailures.increment();
        stats.loadNanos.add(ticker.read() - start);
      }
      notifyLoadFailure(key, t);
      return;
    }
    if (recordStats) {
      stats.loads.increment();
      stats.loadNanos.add(ticker.read() - start);
    }
    if (value == null && negativeTtlNanos == 0) {
      // The key is gone at the source: drop it rather than serve it forever.
      map.compute(
          key,
          (k, old) -> {
            inflight.remove(k, lease);
            if (leaseGuard && (lease.revoked || old != lease.expected)) {
              return old;
            }
            return null;
          });
    } else {
      Entry<V> installed = install(key, lease, value, true);
      if (installed != null && value != null) {
        promote(key, installed, value, tiers.length);
      }
    }
    lease.result.complete(value);
  }

  // ---------------------------------------------------------------- writes

  @Override
  public long put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return write(key, value, 0);
  }

  @Override
  public long put(K key, V value, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive but was " + ttl);
    }
    if (config.policy() != EvictionPolicy.WINDOW_TINY_LFU || !timed) {
      throw new UnsupportedOperationException(
          "per-entry ttl needs policy WINDOW_TINY_LFU and an expiry option (expireAfterWrite,"
              + " expireAfterAccess, expireAfter or negativeCaching) on cache '"
              + name
              + "'");
    }
    return write(key, value, ttl.toNanos());
  }

  private long write(K key, V value, long ttlNanos) {
    if (stripes == null) {
      return installWrite(key, newEntry(key, value, ttlNanos));
    }
    // With tiers, writers of a key hold its stripe so that L1 and the tiers see its writes in
    // the same order (two racing puts could otherwise leave A in L2 and B in L1).
    ReentrantLock stripe = stripe(key);
    stripe.lock();
    try {
      if (mode != WriteMode.NONE) {
        storeOrQueue(key, value, false);
      }
      long version = installWrite(key, newEntry(key, value, ttlNanos));
      writeTiers(key, value, ttlNanos);
      return version;
    } finally {
      stripe.unlock();
    }
  }

  @Override
  public long putIfVersion(K key, V value, long expectedVersion) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (expectedVersion < 0) {
      throw new IllegalArgumentException(
          "expectedVersion must be 0 (absent) or a version read from this cache but was "
              + expectedVersion);
    }
    if (mode == WriteMode.NONE && stripes == null) {
      Entry<V> fresh = newEntry(key, value, 0);
      boolean[] accepted = {false};
      map.compute(
          key,
          (k, old) -> {
            if (versionOf(old) != expectedVersion) {
              return old;
            }
            accepted[0] = true;
            revoke(k);
            return fresh;
          });
      return accepted[0] ? fresh.version : -1;
    }
    ReentrantLock stripe = stripe(key);
    stripe.lock();
    try {
      // Writers of this key hold the stripe, but loads do not, and the store write cannot run
      // inside the map's compute. So the version is checked inside a compute (a plain get could
      // miss an install Caffeine has not published yet) that also revokes any running load and
      // puts a fence in its place, which keeps new loads and refreshes from installing until our
      // install: otherwise a load could cache (and a reader see) a new version between the check
      // and the install, and this stale compare-and-set would still succeed over it.
      Lease<V> fence = Lease.fence();
      boolean[] matched = {false};
      map.compute(
          key,
          (k, old) -> {
            if (versionOf(old) == expectedVersion) {
              matched[0] = true;
              Lease<V> running = inflight.put(k, fence);
              if (running != null) {
                running.revoked = true;
              }
            }
            return old;
          });
      if (!matched[0]) {
        return -1;
      }
      try {
        // An invalidation or eviction may still drop the entry before the install; the store
        // already holds (or has queued) our value then, so we install it anyway.
        if (mode != WriteMode.NONE) {
          storeOrQueue(key, value, false);
        }
        long version = installWrite(key, newEntry(key, value, 0));
        writeTiers(key, value, 0);
        return version;
      } finally {
        inflight.remove(key, fence);
        fence.result.complete(null);
      }
    } finally {
      stripe.unlock();
    }
  }

  private static long versionOf(Entry<?> e) {
    return e == null || e.value == null ? 0 : e.version;
  }

  @Override
  public void delete(K key) {
    Objects.requireNonNull(key, "key");
    if (mode == WriteMode.NONE) {
      invalidate(key);
      return;
    }
    ReentrantLock stripe = stripe(key);
    stripe.lock();
    try {
      storeOrQueue(key, null, true);
      invalidate(key);
    } finally {
      stripe.unlock();
    }
  }

  private void storeOrQueue(K key, V value, boolean delete) {
    if (mode == WriteMode.WRITE_THROUGH) {
      try {
        if (delete) {
          store.delete(key);
        } else {
          store.write(key, value);
        }
      } catch (Exception e) {
        throw new CacheStoreException(
            "cache '"
                + name
                + "': store "
                + (delete ? "delete" : "write")
                + " of key "
                + key
                + " failed; cache unchanged",
            e);
      }
    } else {
      if (closed) {
        throw new IllegalStateException("write-back cache '" + name + "' is closed");
      }
      queue.enqueue(key, value, delete);
    }
  }

  /**
   * Writes and revokes in one atomic compute on the key. Revoking first and then writing would be
   * cheaper (no capturing lambda) but is not enough: a load could take its lease between the two,
   * miss, read an older source value and install it over this write. Lincheck found exactly that
   * history ({@code CacheLincheckTest}); inside one compute, a lease taken later finds this write
   * when it re-checks the map or, while Caffeine has not yet published it, as an entry other than
   * the one the load expects when it tries to install (see {@link Lease}).
   */
  private long installWrite(K key, Entry<V> fresh) {
    map.compute(
        key,
        (k, old) -> {
          revoke(k);
          return fresh;
        });
    return fresh.version;
  }

  @Override
  public void invalidate(K key) {
    invalidate(key, true);
  }

  @Override
  public void invalidateLocal(K key) {
    invalidate(key, false);
  }

  private void invalidate(K key, boolean shared) {
    Objects.requireNonNull(key, "key");
    if (stripes == null) {
      removeAndRevoke(key);
      return;
    }
    // With a store, a put writes the store and then installs, holding the key's stripe. Without
    // the stripe here, an invalidate could land between the two and the put's install would
    // then re-cache the value after the invalidate returned (found by the write-through Lincheck
    // model). Taking the stripe makes a store-mode write atomic with respect to invalidate.
    ReentrantLock stripe = stripe(key);
    stripe.lock();
    try {
      removeAndRevoke(key);
      removeFromTiers(key, shared);
    } finally {
      stripe.unlock();
    }
  }

  private void removeAndRevoke(K key) {
    map.compute(
        key,
        (k, old) -> {
          revoke(k);
          return null;
        });
  }

  @Override
  public void invalidateAll() {
    invalidateAll(true);
  }

  @Override
  public void invalidateAllLocal() {
    invalidateAll(false);
  }

  private void invalidateAll(boolean shared) {
    for (K key : inflight.keySet()) {
      invalidate(key, shared);
    }
    map.clear();
    for (CacheTier<K, V> tier : tiers) {
      if (shared || !tier.shared()) {
        try {
          tier.clear();
        } catch (RuntimeException e) {
          tierError(tier, "clear", null, e);
        }
      }
    }
  }

  // ---------------------------------------------------------------- tiers

  private V tierGet(CacheTier<K, V> tier, K key) {
    try {
      return tier.get(key);
    } catch (RuntimeException e) {
      tierError(tier, "get", key, e);
      return null;
    }
  }

  private void tierPut(CacheTier<K, V> tier, K key, V value, long ttlNanos) {
    try {
      tier.put(key, value, ttlNanos == 0 ? null : Duration.ofNanos(ttlNanos));
    } catch (RuntimeException e) {
      tierError(tier, "put", key, e);
    }
  }

  /**
   * Copies a value that a load installed in L1 into the first {@code upTo} tiers, unless a write or
   * invalidation of the key came after the install: writers update L1 and then the tiers under the
   * key's stripe, so finding our own entry still in L1 under the stripe means none did, and the
   * tiers cannot be made older than L1.
   */
  private void promote(K key, Entry<V> installed, V value, int upTo) {
    if (upTo == 0) {
      return;
    }
    ReentrantLock stripe = stripe(key);
    stripe.lock();
    try {
      if (map.get(key) != installed) {
        return;
      }
      long ttl = tierTtlNanos(key, value, 0);
      for (int i = 0; i < upTo; i++) {
        if (tiers[i].shared()) {
          // Another node may have written the key there since our read: fill, never overwrite.
          tierFill(tiers[i], key, value, ttl);
        } else {
          tierPut(tiers[i], key, value, ttl);
        }
      }
    } finally {
      stripe.unlock();
    }
  }

  private void tierFill(CacheTier<K, V> tier, K key, V value, long ttlNanos) {
    try {
      tier.putIfAbsent(key, value, ttlNanos == 0 ? null : Duration.ofNanos(ttlNanos));
    } catch (RuntimeException e) {
      tierError(tier, "put", key, e);
    }
  }

  private void writeTiers(K key, V value, long ttlNanos) {
    if (tiers.length == 0) {
      return;
    }
    long ttl = tierTtlNanos(key, value, ttlNanos);
    for (CacheTier<K, V> tier : tiers) {
      tierPut(tier, key, value, ttl);
    }
  }

  private void removeFromTiers(K key, boolean shared) {
    for (CacheTier<K, V> tier : tiers) {
      if (shared || !tier.shared()) {
        try {
          tier.remove(key);
        } catch (RuntimeException e) {
          tierError(tier, "remove", key, e);
        }
      }
    }
  }

  /** The write TTL of an entry (explicit, from the TTL function, or expireAfterWrite), or 0. */
  private long tierTtlNanos(K key, V value, long explicitNanos) {
    if (explicitNanos > 0) {
      return explicitNanos;
    }
    if (ttlFunction != null) {
      Duration d = ttlFunction.ttl(key, value);
      if (d != null && !d.isNegative() && !d.isZero()) {
        return d.toNanos();
      }
    }
    return writeTtlNanos;
  }

  private void tierError(CacheTier<K, V> tier, String operation, K key, RuntimeException e) {
    stats.tierErrors.increment();
    for (CacheListener<K, V> l : listeners) {
      try {
        l.onTierError(tier.name(), operation, key, e);
      } catch (RuntimeException ignored) {
        // listeners cannot break the cache
      }
    }
  }

  /**
   * A running load of {@code key} may no longer install (its install checks under the key lock).
   */
  private void revoke(K key) {
    while (true) {
      Lease<V> lease = inflight.get(key);
      if (lease == null || lease.fence) {
        return; // a fence is removed only by its own compare-and-set
      }
      if (inflight.remove(key, lease)) {
        lease.revoked = true;
        return;
      }
    }
  }

  // ---------------------------------------------------------------- entries

  private Entry<V> newEntry(K key, V value, long ttlNanos) {
    long version = versions.incrementAndGet();
    if (!timed && refreshNanos == 0) {
      return new Entry<>(value, version);
    }
    long now = ticker.read();
    long ttl = ttlNanos;
    if (ttl == 0 && ttlFunction != null) {
      Duration d = ttlFunction.ttl(key, value);
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(
            "ttlFunction of cache '"
                + name
                + "' returned "
                + d
                + " for key "
                + key
                + "; it must return a positive duration");
      }
      ttl = d.toNanos();
    }
    if (ttl == 0) {
      ttl = writeTtlNanos;
    }
    long deadline = ttl == 0 ? Entry.NEVER : Entry.saturatedAdd(now, ttl);
    long refreshAt = refreshNanos == 0 ? Entry.NEVER : Entry.saturatedAdd(now, refreshNanos);
    return Entry.of(value, version, deadline, refreshAt);
  }

  private Entry<V> negativeEntry() {
    long deadline = Entry.saturatedAdd(ticker.read(), negativeTtlNanos);
    return Entry.of(null, versions.incrementAndGet(), deadline, Entry.NEVER);
  }

  private ReentrantLock stripe(K key) {
    int h = key.hashCode();
    h ^= h >>> 16;
    return stripes[h & (STRIPES - 1)];
  }

  private void onEvicted(K key, Entry<V> entry, RemovalCause cause) {
    if (recordStats) {
      stats.evictions.increment();
    }
    for (CacheListener<K, V> l : listeners) {
      try {
        l.onEviction(key, entry.value, cause);
      } catch (RuntimeException ignored) {
        // listeners cannot break the cache
      }
    }
  }

  private void notifyLoadFailure(K key, Throwable t) {
    for (CacheListener<K, V> l : listeners) {
      try {
        l.onLoadFailure(key, t);
      } catch (RuntimeException ignored) {
        // listeners cannot break the cache
      }
    }
  }

  // ---------------------------------------------------------------- management

  @Override
  public long estimatedSize() {
    return map.size();
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(
        stats.hits.sum(),
        stats.misses.sum(),
        stats.loads.sum(),
        stats.loadFailures.sum(),
        stats.loadNanos.sum(),
        stats.evictions.sum(),
        stats.staleDiscarded.sum(),
        queue == null ? 0 : queue.pendingCount(),
        queue == null ? 0 : queue.coalescedCount(),
        queue == null ? 0 : queue.storedCount(),
        queue == null ? 0 : queue.failedCount(),
        stats.tierHits.sum(),
        stats.tierErrors.sum());
  }

  @Override
  public boolean flush(long timeout, TimeUnit unit) throws InterruptedException {
    Objects.requireNonNull(unit, "unit");
    return queue == null || queue.flush(timeout, unit);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (queue != null) {
      queue.close();
    }
    if (ownedRefreshExecutor != null) {
      ownedRefreshExecutor.shutdown();
    }
  }

  @Override
  public String toString() {
    return "DsCache[" + name + ", " + config.policy() + ", " + mode + "]";
  }
}
