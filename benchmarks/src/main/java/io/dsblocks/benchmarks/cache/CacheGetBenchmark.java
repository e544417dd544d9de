package io.dsblocks.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.cache.CacheBuilder;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.DsCache;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Get-hit cost: a bounded cache holding every key, read with {@code getIfPresent} by 1 and 2
 * threads. All three caches are bounded by size with no expiry and no statistics, as each library
 * recommends for a plain bounded cache. Keys are pre-boxed in an array so that the loop itself
 * allocates nothing; {@code -prof gc} then shows each cache's own allocation per hit.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar CacheGetBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheGetBenchmark {
  private static final int SIZE = 1 << 14;
  private static final int MASK = SIZE - 1;

  /**
   * Which cache: ds-cache (W-TinyLFU over Caffeine), raw Caffeine, Guava's cache, and two
   * diagnostic variants of raw Caffeine that explain ds-cache's cost: {@code caffeine-samethread}
   * runs maintenance on the reader's thread ({@code executor(Runnable::run)}), {@code
   * caffeine-wrapped} stores a 40-byte holder object as ds-cache stores its entry record (value,
   * version, deadline, refresh time), so a hit dereferences one more object.
   */
  @Param({"dsblocks", "caffeine", "guava", "caffeine-samethread", "caffeine-wrapped"})
  public String impl;

  private Function<Integer, Integer> reader;

  /** The same shape as ds-cache's internal entry: a value plus three longs. */
  static final class Holder {
    final Integer value;
    final long version = 1;
    final long deadline = Long.MAX_VALUE;
    final long refreshAt = Long.MAX_VALUE;

    Holder(Integer value) {
      this.value = value;
    }
  }

  private Integer[] keys;

  /** Per-thread cursor, so threads walk the keys independently. */
  @State(Scope.Thread)
  public static class Cursor {
    int index;

    /** Starts each thread at a different place. */
    @Setup(Level.Trial)
    public void setUp() {
      index = (int) (Thread.currentThread().getId() * 7919);
    }
  }

  /** Fills the cache with every key. */
  @Setup(Level.Trial)
  public void setUp() {
    keys = new Integer[SIZE];
    for (int i = 0; i < SIZE; i++) {
      keys[i] = i; // outside the Integer cache range after 127: distinct objects, stable identity
    }
    switch (impl) {
      case "dsblocks" -> {
        DsCache<Integer, Integer> cache = Caches.bounded(2L * SIZE);
        for (Integer k : keys) {
          cache.put(k, k);
        }
        reader = cache::getIfPresent;
      }
      case "caffeine" -> {
        Cache<Integer, Integer> cache = Caffeine.newBuilder().maximumSize(2L * SIZE).build();
        for (Integer k : keys) {
          cache.put(k, k);
        }
        reader = cache::getIfPresent;
      }
      case "caffeine-samethread" -> {
        Cache<Integer, Integer> cache =
            Caffeine.newBuilder().maximumSize(2L * SIZE).executor(Runnable::run).build();
        for (Integer k : keys) {
          cache.put(k, k);
        }
        reader = cache::getIfPresent;
      }
      case "caffeine-wrapped" -> {
        Cache<Integer, Holder> cache = Caffeine.newBuilder().maximumSize(2L * SIZE).build();
        for (Integer k : keys) {
          cache.put(k, new Holder(k));
        }
        reader =
            k -> {
              Holder h = cache.getIfPresent(k);
              return h == null ? null : h.value;
            };
      }
      case "guava" -> {
        com.google.common.cache.Cache<Integer, Integer> cache =
            CacheBuilder.newBuilder().maximumSize(2L * SIZE).build();
        for (Integer k : keys) {
          cache.put(k, k);
        }
        reader = cache::getIfPresent;
      }
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    }
  }

  /**
   * One hit, one thread.
   *
   * @param cursor this thread's position
   * @return the value, so the read is not eliminated
   */
  @Benchmark
  @Threads(1)
  public Integer getHit1Thread(Cursor cursor) {
    return reader.apply(keys[cursor.index++ & MASK]);
  }

  /**
   * One hit, two threads on the same cache.
   *
   * @param cursor this thread's position
   * @return the value, so the read is not eliminated
   */
  @Benchmark
  @Threads(2)
  public Integer getHit2Threads(Cursor cursor) {
    return reader.apply(keys[cursor.index++ & MASK]);
  }
}
