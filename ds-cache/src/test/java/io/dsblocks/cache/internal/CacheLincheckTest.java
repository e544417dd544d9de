package io.dsblocks.cache.internal;

import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.CacheStore;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.EvictionPolicy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the cache core, checked by Lincheck's stress mode: concurrent histories of
 * read-through gets, puts, compare-and-sets and invalidations must match some sequential order of
 * the same operations (see {@link ReadThrough} for the one combination that is intentionally not
 * linearizable). The LRU read-through model has a size bound (exact eviction is deterministic, so
 * it is part of the sequential specification); the Caffeine models have none or one far above their
 * keys (W-TinyLFU's victim depends on sampling and buffering).
 *
 * <p>Lincheck's model-checking mode also passes on these models but costs about a minute of
 * bytecode instrumentation per JVM, too slow for this suite; it is what found the history described
 * on {@link ReadThrough}. It did not find the bug that stress mode found in the Caffeine
 * read-through models (10 iterations of 1 000 invocations passed on the unfixed code, presumably
 * because it never switches threads inside {@code ConcurrentHashMap.compute}): a put overwritten by
 * a racing load, {@code get(2): 200 || put(2, 1)} and then {@code get(2): 200}. That history was
 * real: a load whose miss, lease and re-check all fell between the put's revoke and Caffeine
 * publishing the put's entry (reads are lock-free and do not wait for a running compute) installed
 * over it with an intact lease, a window of a few instructions that plain repetitions of the race
 * rarely hit. The install now also requires the entry to be the one the load saw ({@link Lease});
 * {@code ConcurrencyTest#loadStartedWhileAPutIsBeingPublishedNeverOverwritesIt} holds the put
 * inside that window deterministically. The Caffeine read-through models run 2 000 invocations per
 * iteration because that is what makes stress mode hit the window: on the unfixed code {@link
 * TinyLfuReadThrough} failed 3 of 3 fresh JVMs and {@link UnboundedTinyLfuReadThrough} 4 of 4 with
 * 2 000, while the latter failed 0 of 8 with 500.
 */
class CacheLincheckTest {

  /** Shared operations: reads, writes and invalidations of a small key space. */
  @Param(name = "key", gen = IntGen.class, conf = "1:3")
  @Param(name = "value", gen = IntGen.class, conf = "1:2")
  public abstract static class Model {
    final DsCache<Integer, Integer> cache;

    Model(EvictionPolicy policy, long maximumSize, boolean readThrough) {
      CacheConfig.Builder<Integer, Integer> b =
          CacheConfig.<Integer, Integer>builder().policy(policy).executor(Runnable::run);
      if (readThrough) {
        b.loader(k -> k * 100); // the "source": a function of the key
      }
      if (maximumSize >= 0) {
        b.maximumSize(maximumSize);
      }
      this.cache = Caches.create(b.build());
    }

    @Operation
    public Integer getIfPresent(@Param(name = "key") int key) {
      return cache.getIfPresent(key);
    }

    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
      cache.put(key, value);
    }

    @Operation
    public void invalidate(@Param(name = "key") int key) {
      cache.invalidate(key);
    }
  }

  /**
   * Read-through: {@code get} loads on a miss (single-flight, lease-guarded install).
   *
   * <p>Compare-and-set is deliberately not in this model: a load that loses its lease to a
   * concurrent write still returns its value to its caller without caching it, so a {@code
   * putIfVersion(k, v, 0)} can succeed on the absent key while a concurrent {@code get(k)} returns
   * the loaded value. Lincheck reports that history as non-linearizable for a map; for a cache it
   * is the intended trade-off (the loaded value is what the source held when the read began), and
   * it is documented on {@link DsCache}.
   */
  public abstract static class ReadThrough extends Model {
    ReadThrough(EvictionPolicy policy, long maximumSize) {
      super(policy, maximumSize, true);
    }

    @Operation
    public Integer get(@Param(name = "key") int key) {
      return cache.get(key);
    }
  }

  /** Versioned compare-and-set without a loader. */
  public abstract static class CompareAndSet extends Model {
    CompareAndSet(EvictionPolicy policy, long maximumSize) {
      super(policy, maximumSize, false);
    }

    @Operation
    public boolean putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
      return cache.putIfVersion(key, value, 0) > 0;
    }

    /**
     * Increments the value of {@code key} if present, retrying the compare-and-set until it wins:
     * linearizable as an atomic increment exactly when {@code putIfVersion} rejects every stale
     * write (a lost update would show as a missing increment).
     */
    @Operation
    public boolean incrementIfPresent(@Param(name = "key") int key) {
      while (true) {
        io.dsblocks.cache.Versioned<Integer> read = cache.getVersioned(key);
        if (read == null) {
          return false;
        }
        if (cache.putIfVersion(key, read.value() + 1, read.version()) > 0) {
          return true;
        }
      }
    }
  }

  /** Exact LRU holding two of the three keys, read-through. */
  public static class LruReadThrough extends ReadThrough {
    /** Creates the instance Lincheck runs. */
    public LruReadThrough() {
      super(EvictionPolicy.LRU, 2);
    }
  }

  /**
   * Exact LFU, compare-and-set, room for all three keys: a retried compare-and-set reads the key
   * again, which counts as a use, so with evictions the victim would depend on contention.
   */
  public static class LfuCompareAndSet extends CompareAndSet {
    /** Creates the instance Lincheck runs. */
    public LfuCompareAndSet() {
      super(EvictionPolicy.LFU, 3);
    }
  }

  /**
   * Caffeine read-through with a size bound (Caffeine's bounded map, the one users get with {@code
   * maximumSize}) far above the three keys. A bound of 3 is not enough: Caffeine replays policy
   * work from a write buffer after the map operation, so while a removal of one key waits there and
   * the re-insertion of that key is already counted, its size is over the bound and it evicts a
   * live entry (3 threads putting and invalidating 3 keys evict within milliseconds). That once
   * failed this model with a put lost to eviction ({@code getIfPresent(1): null} after {@code
   * put(1, 2)}), behaviour Caffeine documents; eviction is not in the sequential specification.
   */
  public static class TinyLfuReadThrough extends ReadThrough {
    /** Creates the instance Lincheck runs. */
    public TinyLfuReadThrough() {
      super(EvictionPolicy.WINDOW_TINY_LFU, 100);
    }
  }

  /** Caffeine read-through without a bound (Caffeine's unbounded map, a different code path). */
  public static class UnboundedTinyLfuReadThrough extends ReadThrough {
    /** Creates the instance Lincheck runs. */
    public UnboundedTinyLfuReadThrough() {
      super(EvictionPolicy.WINDOW_TINY_LFU, -1);
    }
  }

  /**
   * Caffeine write-through whose store is also the source of loads: a {@code get} loads what the
   * store holds (nothing is cached for an absent key), {@code put} and {@code delete} change the
   * store first, {@code invalidate} drops only the cached copy. So a load that read the store
   * before a put or delete and installed after it would show as a stale read once both returned.
   */
  @Param(name = "key", gen = IntGen.class, conf = "1:3")
  @Param(name = "value", gen = IntGen.class, conf = "1:2")
  public static class TinyLfuWriteThrough {
    private final Map<Integer, Integer> store = new ConcurrentHashMap<>();
    private final DsCache<Integer, Integer> cache =
        Caches.create(
            CacheConfig.<Integer, Integer>builder()
                .maximumSize(100) // far above the keys: see TinyLfuReadThrough
                .executor(Runnable::run)
                .writeThrough(
                    new CacheStore<>() {
                      @Override
                      public Integer load(Integer key) {
                        return store.get(key);
                      }

                      @Override
                      public void write(Integer key, Integer value) {
                        store.put(key, value);
                      }

                      @Override
                      public void delete(Integer key) {
                        store.remove(key);
                      }
                    })
                .build());

    /** Creates the instance Lincheck runs. */
    public TinyLfuWriteThrough() {}

    /**
     * Reads through.
     *
     * @param key the key
     * @return the cached or stored value, or null
     */
    @Operation
    public Integer get(@Param(name = "key") int key) {
      return cache.get(key);
    }

    /**
     * Reads the cache only.
     *
     * @param key the key
     * @return the cached value, or null
     */
    @Operation
    public Integer getIfPresent(@Param(name = "key") int key) {
      return cache.getIfPresent(key);
    }

    /**
     * Writes the store, then the cache.
     *
     * @param key the key
     * @param value the value
     */
    @Operation
    public void put(@Param(name = "key") int key, @Param(name = "value") int value) {
      cache.put(key, value);
    }

    /**
     * Deletes from the store, then the cache.
     *
     * @param key the key
     */
    @Operation
    public void delete(@Param(name = "key") int key) {
      cache.delete(key);
    }

    /**
     * Drops the cached copy only.
     *
     * @param key the key
     */
    @Operation
    public void invalidate(@Param(name = "key") int key) {
      cache.invalidate(key);
    }
  }

  /** Caffeine, unbounded, compare-and-set. */
  public static class TinyLfuCompareAndSet extends CompareAndSet {
    /** Creates the instance Lincheck runs. */
    public TinyLfuCompareAndSet() {
      super(EvictionPolicy.WINDOW_TINY_LFU, -1);
    }
  }

  private static void check(Class<?> model) {
    check(model, 500);
  }

  private static void check(Class<?> model, int invocationsPerIteration) {
    new StressOptions()
        .iterations(20)
        .invocationsPerIteration(invocationsPerIteration)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1)
        .check(model);
  }

  @Test
  void lruReadThroughIsLinearizable() {
    check(LruReadThrough.class);
  }

  @Test
  void lfuCompareAndSetIsLinearizable() {
    check(LfuCompareAndSet.class);
  }

  @Test
  void tinyLfuCompareAndSetIsLinearizable() {
    check(TinyLfuCompareAndSet.class);
  }

  @Test
  void tinyLfuReadThroughIsLinearizable() {
    check(TinyLfuReadThrough.class, 2_000);
  }

  @Test
  void unboundedTinyLfuReadThroughIsLinearizable() {
    check(UnboundedTinyLfuReadThrough.class, 2_000);
  }

  @Test
  void tinyLfuWriteThroughIsLinearizable() {
    check(TinyLfuWriteThrough.class);
  }
}
