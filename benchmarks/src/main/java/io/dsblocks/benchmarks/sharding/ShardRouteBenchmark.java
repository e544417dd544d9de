package io.dsblocks.benchmarks.sharding;

import com.google.common.hash.Hashing;
import io.dsblocks.sharding.KeyHasher;
import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.Scheme;
import io.dsblocks.sharding.ShardRouters;
import io.dsblocks.sharding.SimpleNode;
import io.dsblocks.sharding.internal.RingRouter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code route(key)} per operation: hash the key (XXH3, the same hasher for every impl so all
 * do the same work), then find its node. Peers: Guava's {@code Hashing.consistentHash} (jump hash)
 * and a {@link TreeMap} ring holding exactly the same points as the dsblocks ring ({@code
 * ceilingEntry}, wrapping to {@code firstEntry}); {@code sortedarray-ring} is the plain
 * binary-search ring the index is meant to beat. Keys cycle through 4096 random {@code long}s or
 * 16-byte arrays, or ({@code key=hash}) are used as the hash directly, isolating the placement.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ShardRouteBenchmark -f 1 -wi 2 -w 1s -i
 * 3 -r 1s -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ShardRouteBenchmark {

  @Param({
    "dsblocks-jump",
    "guava-jump",
    "dsblocks-ring",
    "treemap-ring",
    "sortedarray-ring",
    "dsblocks-maglev",
    "dsblocks-anchor",
    "dsblocks-multiprobe",
    "dsblocks-rendezvous"
  })
  String impl;

  @Param({"10", "100", "1000"})
  int nodes;

  /** {@code hash}: the key is already a 64-bit hash, so only the placement is measured. */
  @Param({"long", "bytes16", "hash"})
  String key;

  private static final int KEYS = 4096;

  private final long[] longKeys = new long[KEYS];
  private final byte[][] byteKeys = new byte[KEYS][16];
  private int next;
  private Lookup lookup;
  private final KeyHasher hasher = KeyHasher.xxh3();

  /** Routes a pre-hashed key; every impl below does the rest of the work itself. */
  interface Lookup {
    Object byHash(long hash);
  }

  /** Builds the structure under test. */
  @Setup
  public void setUp() {
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < KEYS; i++) {
      longKeys[i] = r.nextLong();
      for (int b = 0; b < 16; b++) {
        byteKeys[i][b] = (byte) r.nextInt();
      }
    }
    List<SimpleNode> members = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      members.add(Node.of("node-" + i));
    }
    switch (impl) {
      case "dsblocks-jump":
        lookup = ShardRouters.jump(members)::routeHash;
        break;
      case "guava-jump":
        {
          SimpleNode[] slots = members.toArray(new SimpleNode[0]);
          int n = slots.length;
          lookup = h -> slots[Hashing.consistentHash(h, n)];
          break;
        }
      case "dsblocks-ring":
        lookup = ShardRouters.ring(members)::routeHash;
        break;
      case "treemap-ring":
        lookup = treeMapRing(members);
        break;
      case "sortedarray-ring":
        lookup = sortedArrayRing(members);
        break;
      case "dsblocks-maglev":
        lookup = ShardRouters.maglev(members)::routeHash;
        break;
      case "dsblocks-anchor":
        lookup = ShardRouters.anchor(members)::routeHash;
        break;
      case "dsblocks-multiprobe":
        lookup = ShardRouters.multiProbe(members)::routeHash;
        break;
      case "dsblocks-rendezvous":
        lookup = ShardRouters.rendezvous(members)::routeHash;
        break;
      default:
        throw new IllegalArgumentException("unknown impl " + impl);
    }
  }

  private static RingRouter<SimpleNode> dsRing(List<SimpleNode> members) {
    return (RingRouter<SimpleNode>) ShardRouters.builder(Scheme.RING).build(members);
  }

  /** A TreeMap ring with exactly the dsblocks ring's points (sign-flipped for unsigned order). */
  private static Lookup treeMapRing(List<SimpleNode> members) {
    RingRouter<SimpleNode> ring = dsRing(members);
    long[] points = ring.points();
    int[] owners = ring.pointOwners();
    TreeMap<Long, SimpleNode> map = new TreeMap<>();
    for (int i = points.length - 1; i >= 0; i--) {
      map.put(points[i] ^ Long.MIN_VALUE, ring.slot(owners[i]));
    }
    return h -> {
      Map.Entry<Long, SimpleNode> e = map.ceilingEntry(h ^ Long.MIN_VALUE);
      return (e != null ? e : map.firstEntry()).getValue();
    };
  }

  /** The same points in a sorted array, found by plain binary search (no index). */
  private static Lookup sortedArrayRing(List<SimpleNode> members) {
    RingRouter<SimpleNode> ring = dsRing(members);
    long[] points = ring.points();
    int[] owners = ring.pointOwners();
    long[] flipped = new long[points.length];
    SimpleNode[] owner = new SimpleNode[points.length];
    for (int i = 0; i < points.length; i++) {
      flipped[i] = points[i] ^ Long.MIN_VALUE;
      owner[i] = ring.slot(owners[i]);
    }
    return h -> {
      int i = Arrays.binarySearch(flipped, h ^ Long.MIN_VALUE);
      if (i < 0) {
        i = -i - 1;
      }
      return owner[i == flipped.length ? 0 : i];
    };
  }

  /**
   * Hash one key and route it.
   *
   * @return the owner
   */
  @Benchmark
  public Object route() {
    int i = next++ & (KEYS - 1);
    long h;
    switch (key) {
      case "long":
        h = hasher.hashLong(longKeys[i]);
        break;
      case "bytes16":
        h = hasher.hashBytes(byteKeys[i]);
        break;
      default:
        h = longKeys[i];
        break;
    }
    return lookup.byHash(h);
  }
}
