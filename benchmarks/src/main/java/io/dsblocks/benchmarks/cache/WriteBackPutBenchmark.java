package io.dsblocks.benchmarks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.CacheStore;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.OverflowPolicy;
import io.dsblocks.cache.WriteBackConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Put throughput of a write-back cache (queue + coalescing + cache update) against a plain ds-cache
 * put and a raw Caffeine put, on 4096 keys, one thread. The store does nothing, so this measures
 * the caller's cost; the queue is large enough that callers never block.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar WriteBackPutBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class WriteBackPutBenchmark {
  private static final int SIZE = 1 << 12;

  /** Which put: ds-cache write-back, ds-cache plain, raw Caffeine. */
  @Param({"dsblocks-writeback", "dsblocks-plain", "caffeine"})
  public String impl;

  private BiConsumer<Integer, Integer> writer;
  private DsCache<Integer, Integer> dsCache;
  private Integer[] keys;
  private int index;

  /** Builds the cache. */
  @Setup(Level.Trial)
  public void setUp() {
    keys = new Integer[SIZE];
    for (int i = 0; i < SIZE; i++) {
      keys[i] = i;
    }
    CacheStore<Integer, Integer> nullStore =
        new CacheStore<>() {
          @Override
          public Integer load(Integer key) {
            return null;
          }

          @Override
          public void write(Integer key, Integer value) {}

          @Override
          public void delete(Integer key) {}

          @Override
          public void writeAll(Map<Integer, Integer> entries) {}
        };
    switch (impl) {
      case "dsblocks-writeback" -> {
        dsCache =
            Caches.create(
                CacheConfig.<Integer, Integer>builder()
                    .maximumSize(2L * SIZE)
                    .writeBack(
                        nullStore,
                        WriteBackConfig.<Integer, Integer>builder()
                            .maxBatchSize(1000)
                            .maxDelay(Duration.ofMillis(5))
                            .maxPending(1 << 20)
                            .overflowPolicy(OverflowPolicy.BLOCK, Duration.ofSeconds(10))
                            .build())
                    .build());
        writer = dsCache::put;
      }
      case "dsblocks-plain" -> {
        dsCache = Caches.bounded(2L * SIZE);
        writer = dsCache::put;
      }
      case "caffeine" -> {
        Cache<Integer, Integer> cache = Caffeine.newBuilder().maximumSize(2L * SIZE).build();
        writer = cache::put;
      }
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    }
  }

  /** Drains and stops the write-back writer. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (dsCache != null) {
      dsCache.close();
    }
  }

  /** One put. */
  @Benchmark
  public void put() {
    Integer k = keys[index++ & (SIZE - 1)];
    writer.accept(k, k);
  }
}
