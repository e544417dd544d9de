package io.dsblocks.benchmarks.cache;

import io.dsblocks.cache.CacheConfig;
import io.dsblocks.cache.Caches;
import io.dsblocks.cache.Codec;
import io.dsblocks.cache.DsCache;
import io.dsblocks.cache.tier.ChronicleMapTier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.map.ChronicleMap;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Chronicle Map L2 tier of ds-cache, on a persisted file in a temporary directory (page cache,
 * not disk, on this scale): 8,192 String keys of 9 bytes and 100-byte String values.
 *
 * <ul>
 *   <li>{@code l2Get}/{@code l2Put}, {@code impl=dsblocks}: {@link ChronicleMapTier} — UTF-8 codec
 *       for key and value, the 8-byte expiry header, the close guard. {@code impl=chronicle-raw}: a
 *       bare {@code ChronicleMap<byte[], byte[]>} of the same sizing and the same data, with keys
 *       and values encoded once in setup, as Chronicle recommends for byte-array maps ({@code
 *       putReturnsNull}); the difference is the tier's whole overhead.
 *   <li>{@code tiered*}: a {@code DsCache} (L1 Caffeine, 100,000 entries) over the tier with an
 *       in-memory loader: an L1 hit; an L1 miss answered by L2 (L1 bounded to 16 entries, keys
 *       cycle over 8,192, so almost every read misses L1, hits L2 and is promoted); and a miss in
 *       every level ({@code invalidate(k)} then {@code get(k)}: L1 miss, L2 miss, loader, install
 *       in L1, write to L2 — the invalidate, which also removes from L2, is part of the op).
 * </ul>
 *
 * <p>Chronicle Map needs JVM flags on Java 17; the forks get them from {@code @Fork} below (the
 * same list as {@code ds-cache/chronicle-jvm-flags.txt}).
 *
 * <pre>
 * java @ds-cache/chronicle-jvm-flags.txt -jar benchmarks/target/benchmarks.jar ChronicleTierBenchmark \
 *     -f 1 -wi 5 -w 2s -i 3 -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Long warm-up: the tier's put path (codecs, header, Chronicle's generated code) needed ~8 s of
// JIT on the shared 2-core machine; with 2 x 1 s it still measured ~10 us per put instead of ~0.4.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true"
    })
public class ChronicleTierBenchmark {
  static final int KEYS = 1 << 13;
  static final int MASK = KEYS - 1;
  static final int VALUE_SIZE = 100;

  static String key(int i) {
    return String.format("user:%04d", i); // 9 bytes
  }

  static String value(int i) {
    StringBuilder sb = new StringBuilder(VALUE_SIZE).append("value-").append(i).append('-');
    while (sb.length() < VALUE_SIZE) {
      sb.append((char) ('a' + sb.length() % 26));
    }
    return sb.toString();
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The L2 alone: the tier vs the raw map. */
  @State(Scope.Benchmark)
  public static class L2 {
    /** {@code dsblocks} (the tier) or {@code chronicle-raw} (a bare byte[] map). */
    @Param({"dsblocks", "chronicle-raw"})
    public String impl;

    Path dir;
    ChronicleMapTier<String, String> tier;
    ChronicleMap<byte[], byte[]> raw;
    String[] keys;
    String[] values;
    byte[][] keyBytes;
    byte[][] valueBytes;
    int next;

    /** Opens the map and fills it with every key. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = Files.createTempDirectory("chronicle-tier-bench");
      keys = new String[KEYS];
      values = new String[KEYS];
      keyBytes = new byte[KEYS][];
      valueBytes = new byte[KEYS][];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = key(i);
        values[i] = value(i);
        keyBytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
        valueBytes[i] = values[i].getBytes(StandardCharsets.UTF_8);
      }
      if (impl.equals("dsblocks")) {
        tier =
            ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
                .persistedTo(dir.resolve("l2.dat"))
                .entries(KEYS * 2)
                .averageKeySize(9)
                .averageValueSize(VALUE_SIZE)
                .build();
        for (int i = 0; i < KEYS; i++) {
          tier.put(keys[i], values[i], null);
        }
      } else {
        raw =
            ChronicleMap.of(byte[].class, byte[].class)
                .name("raw")
                .entries(KEYS * 2)
                .averageKeySize(9)
                .averageValueSize(VALUE_SIZE)
                .putReturnsNull(true)
                .removeReturnsNull(true)
                .createPersistedTo(dir.resolve("raw.dat").toFile());
        for (int i = 0; i < KEYS; i++) {
          raw.put(keyBytes[i], valueBytes[i]);
        }
      }
    }

    /** Closes the map and deletes its file. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      if (tier != null) {
        tier.close();
      }
      if (raw != null) {
        raw.close();
      }
      deleteTree(dir);
    }
  }

  /**
   * Reads one present key.
   *
   * @param s the state
   * @return the value (the decoded String for the tier, the bytes for the raw map)
   */
  @Benchmark
  public Object l2Get(L2 s) {
    int i = s.next++ & MASK;
    return s.tier != null ? s.tier.get(s.keys[i]) : s.raw.get(s.keyBytes[i]);
  }

  /**
   * Overwrites one present key with a value of the same size.
   *
   * @param s the state
   */
  @Benchmark
  public void l2Put(L2 s) {
    int i = s.next++ & MASK;
    if (s.tier != null) {
      s.tier.put(s.keys[i], s.values[i], null);
    } else {
      s.raw.put(s.keyBytes[i], s.valueBytes[i]);
    }
  }

  /** A DsCache over the tier, for the end-to-end paths. */
  @State(Scope.Benchmark)
  public static class Tiered {
    Path dir;
    ChronicleMapTier<String, String> l2;
    DsCache<String, String> bigL1;
    DsCache<String, String> tinyL1;
    String[] keys;
    String[] values;
    int next;

    /** Builds the caches; every key is in L2, and in the big L1. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = Files.createTempDirectory("chronicle-tier-bench");
      keys = new String[KEYS];
      values = new String[KEYS];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = key(i);
        values[i] = value(i);
      }
      l2 =
          ChronicleMapTier.builder(Codec.utf8(), Codec.utf8())
              .persistedTo(dir.resolve("l2.dat"))
              .entries(KEYS * 2)
              .averageKeySize(9)
              .averageValueSize(VALUE_SIZE)
              .build();
      bigL1 = cache(100_000);
      tinyL1 = cache(16);
      for (int i = 0; i < KEYS; i++) {
        bigL1.get(keys[i]); // loads into L1 and L2
      }
    }

    private DsCache<String, String> cache(long l1Size) {
      return Caches.create(
          CacheConfig.<String, String>builder()
              .maximumSize(l1Size)
              .loader(k -> values[Integer.parseInt(k.substring(5))])
              .tier(l2)
              .build());
    }

    /** Closes the caches and the tier and deletes the file. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      bigL1.close();
      tinyL1.close();
      l2.close();
      deleteTree(dir);
    }
  }

  /**
   * L1 hit: the floor.
   *
   * @param s the state
   * @return the value
   */
  @Benchmark
  public String tieredL1Hit(Tiered s) {
    return s.bigL1.get(s.keys[s.next++ & MASK]);
  }

  /**
   * L1 miss answered by L2 and promoted into L1.
   *
   * @param s the state
   * @return the value
   */
  @Benchmark
  public String tieredL1MissL2Hit(Tiered s) {
    return s.tinyL1.get(s.keys[s.next++ & MASK]);
  }

  /**
   * Miss in every level: invalidate (L1 and L2), then read through L1, L2 and the loader, which
   * installs the value in L1 and writes it to L2.
   *
   * @param s the state
   * @return the value
   */
  @Benchmark
  public String tieredMissAllTiers(Tiered s) {
    String k = s.keys[s.next++ & MASK];
    s.bigL1.invalidate(k);
    return s.bigL1.get(k);
  }
}
