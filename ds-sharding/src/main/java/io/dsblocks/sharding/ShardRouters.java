package io.dsblocks.sharding;

import io.dsblocks.sharding.internal.Mix;
import io.dsblocks.sharding.internal.RouterSpec;
import io.dsblocks.sharding.internal.Routers;
import java.util.Collection;
import java.util.Objects;

/**
 * Entry point: static factories for every {@link Scheme} with default settings, and a {@link
 * Builder} for tuned ones.
 *
 * <pre>{@code
 * ShardRouter<SimpleNode> router = ShardRouters.maglev(List.of(Node.of("a"), Node.of("b")));
 * SimpleNode owner = router.route("user:42");
 * ShardRouter<SimpleNode> bigger = router.withNode(Node.of("c"));   // router is unchanged
 *
 * ShardRouter<SimpleNode> ring = ShardRouters.builder(Scheme.RING)
 *     .pointsPerWeight(200)
 *     .hasher(KeyHasher.xxh3(7))
 *     .build(nodes);
 * }</pre>
 *
 * <p>Thread-safety: this class is stateless; builders are not thread-safe (use one per thread), the
 * routers they build are immutable and thread-safe.
 */
public final class ShardRouters {
  /** Default ring points per unit of weight. */
  public static final int DEFAULT_POINTS_PER_WEIGHT = 100;

  /** Default Maglev table size: the prime the Maglev paper uses for small clusters. */
  public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65537;

  /** Largest accepted Maglev table size. */
  public static final int MAX_MAGLEV_TABLE_SIZE = 1 << 24;

  /** Default multi-probe probe count (the paper's choice for a 1.05 peak-to-mean ratio). */
  public static final int DEFAULT_PROBES = 21;

  private ShardRouters() {}

  /**
   * A ring with {@value #DEFAULT_POINTS_PER_WEIGHT} virtual nodes per unit of weight.
   *
   * @param nodes the members, not empty, unique ids
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the node set is empty, has a duplicate id or a bad weight
   */
  public static <N extends Node> ShardRouter<N> ring(Collection<N> nodes) {
    return builder(Scheme.RING).build(nodes);
  }

  /**
   * Jump consistent hash with a stable-id layer (unit weights only).
   *
   * @param nodes the members, not empty, unique ids
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the node set is empty, has a duplicate id or weights
   */
  public static <N extends Node> ShardRouter<N> jump(Collection<N> nodes) {
    return builder(Scheme.JUMP).build(nodes);
  }

  /**
   * Weighted rendezvous hashing.
   *
   * @param nodes the members, not empty, unique ids
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the node set is empty, has a duplicate id or a bad weight
   */
  public static <N extends Node> ShardRouter<N> rendezvous(Collection<N> nodes) {
    return builder(Scheme.RENDEZVOUS).build(nodes);
  }

  /**
   * Maglev with the default table size {@value #DEFAULT_MAGLEV_TABLE_SIZE}.
   *
   * @param nodes the members, not empty, unique ids, at most the table size
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the node set is empty, has a duplicate id or a bad weight
   */
  public static <N extends Node> ShardRouter<N> maglev(Collection<N> nodes) {
    return builder(Scheme.MAGLEV).build(nodes);
  }

  /**
   * Multi-probe consistent hashing with {@value #DEFAULT_PROBES} probes (unit weights only).
   *
   * @param nodes the members, not empty, unique ids
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the node set is empty, has a duplicate id or weights
   */
  public static <N extends Node> ShardRouter<N> multiProbe(Collection<N> nodes) {
    return builder(Scheme.MULTI_PROBE).build(nodes);
  }

  /**
   * AnchorHash with capacity {@code max(16, 2 × nodes)} (unit weights only).
   *
   * @param nodes the members, not empty, unique ids
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the node set is empty, has a duplicate id or weights
   */
  public static <N extends Node> ShardRouter<N> anchor(Collection<N> nodes) {
    return builder(Scheme.ANCHOR).build(nodes);
  }

  /**
   * Lamping and Veach's jump consistent hash, bit-for-bit identical to the published reference (and
   * to Guava's {@code Hashing.consistentHash(long, int)}).
   *
   * @param key a 64-bit key (already well distributed, or use a {@link KeyHasher} first)
   * @param buckets number of buckets, at least 1
   * @return the bucket, in {@code [0, buckets)}
   * @throws IllegalArgumentException if {@code buckets} is less than 1
   */
  public static int jumpConsistentHash(long key, int buckets) {
    if (buckets < 1) {
      throw new IllegalArgumentException("buckets must be >= 1, was " + buckets);
    }
    return Mix.jump(key, buckets);
  }

  /**
   * A builder for a router of the given scheme.
   *
   * @param scheme the algorithm
   * @return a builder with default settings
   * @throws NullPointerException if {@code scheme} is null
   */
  public static Builder builder(Scheme scheme) {
    return new Builder(Objects.requireNonNull(scheme, "scheme must not be null"));
  }

  /**
   * Settings of a router; validated by {@link #build}. Settings that do not apply to the chosen
   * scheme are ignored. Not thread-safe.
   */
  public static final class Builder {
    private final Scheme scheme;
    private KeyHasher hasher = KeyHasher.xxh3();
    private int pointsPerWeight = DEFAULT_POINTS_PER_WEIGHT;
    private int maglevTableSize = DEFAULT_MAGLEV_TABLE_SIZE;
    private int probes = DEFAULT_PROBES;
    private int anchorCapacity;

    private Builder(Scheme scheme) {
      this.scheme = scheme;
    }

    /**
     * The key hasher (default {@link KeyHasher#xxh3()}).
     *
     * @param hasher the hasher
     * @return this builder
     */
    public Builder hasher(KeyHasher hasher) {
      this.hasher = Objects.requireNonNull(hasher, "hasher must not be null");
      return this;
    }

    /**
     * Ring only: virtual nodes per unit of weight, 1 to 100000 (default {@value
     * #DEFAULT_POINTS_PER_WEIGHT}). More points give better balance and a bigger ring.
     *
     * @param points points per unit of weight
     * @return this builder
     */
    public Builder pointsPerWeight(int points) {
      this.pointsPerWeight = points;
      return this;
    }

    /**
     * Maglev only: lookup-table size, a prime not smaller than the node count (default {@value
     * #DEFAULT_MAGLEV_TABLE_SIZE}; the paper recommends at least 100 × the node count).
     *
     * @param size a prime
     * @return this builder
     */
    public Builder maglevTableSize(int size) {
      this.maglevTableSize = size;
      return this;
    }

    /**
     * Multi-probe only: probes per key, 1 to 1024 (default {@value #DEFAULT_PROBES}).
     *
     * @param probes probe count
     * @return this builder
     */
    public Builder probes(int probes) {
      this.probes = probes;
      return this;
    }

    /**
     * AnchorHash only: anchor capacity, the most nodes the router can hold before it must rebuild;
     * 0 (default) means {@code max(16, 2 × initial nodes)}. Lookup cost grows with {@code
     * ln(capacity / nodes)}.
     *
     * @param capacity the capacity, 0 or at least the node count, at most 2^24
     * @return this builder
     */
    public Builder anchorCapacity(int capacity) {
      this.anchorCapacity = capacity;
      return this;
    }

    /**
     * Validates the settings and the nodes and builds the router.
     *
     * @param nodes the members, not empty, unique ids
     * @param <N> node type
     * @return the router
     * @throws IllegalArgumentException naming the bad setting or node
     * @throws NullPointerException if {@code nodes} or one of them is null
     */
    public <N extends Node> ShardRouter<N> build(Collection<N> nodes) {
      checkRange("pointsPerWeight", pointsPerWeight, 1, 100_000);
      checkRange("probes", probes, 1, 1024);
      checkRange("anchorCapacity", anchorCapacity, 0, 1 << 24);
      checkRange("maglevTableSize", maglevTableSize, 2, MAX_MAGLEV_TABLE_SIZE);
      if (!Mix.isPrime(maglevTableSize)) {
        throw new IllegalArgumentException(
            "maglevTableSize must be prime (Maglev's permutations need it), was "
                + maglevTableSize
                + "; e.g. 65537, 131071, 655373");
      }
      RouterSpec spec =
          new RouterSpec(scheme, hasher, pointsPerWeight, maglevTableSize, probes, anchorCapacity);
      return Routers.create(spec, nodes);
    }

    private static void checkRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], was " + value);
      }
    }
  }
}
