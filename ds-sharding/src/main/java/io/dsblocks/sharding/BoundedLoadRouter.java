package io.dsblocks.sharding;

import io.dsblocks.sharding.internal.RingRouter;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, SODA 2018): a key goes to
 * its ring owner unless that node is at capacity, in which case it walks clockwise to the first
 * node below capacity. With capacity factor {@code c}, a node of weight {@code w} out of total
 * weight {@code W} has capacity {@code ceil(c × (L + 1) × w / W)}, where {@code L} is the current
 * total load; with unit weights that is {@code ceil(c × mean)} counting the request being placed.
 * No node is ever assigned above its capacity, and a capacity always exists because the capacities
 * sum to at least {@code c × (L + 1) > L}.
 *
 * <p>Two ways to use it:
 *
 * <ul>
 *   <li>Stateless: {@link #route(Object, LoadView)} with loads you track (a load balancer's
 *       in-flight counts).
 *   <li>Stateful: {@link #acquire(Object)} returns a {@link Lease} counted against the chosen node
 *       until {@link Lease#release()}; counts are lock-free atomics.
 * </ul>
 *
 * <p>Thread-safety: thread-safe. Routing is lock-free; {@code acquire} uses compare-and-set on the
 * chosen node's count so concurrent acquirers never push a node above the capacity computed from
 * the total that includes them. Membership is fixed per instance (build a new one for a new node
 * set; outstanding leases of the old one release into the old one).
 *
 * @param <N> node type
 */
public final class BoundedLoadRouter<N extends Node> {
  private final RingRouter<N> ring;
  private final double factor;
  private final double[] share;
  private final AtomicLongArray loads;
  private final AtomicLong total = new AtomicLong();

  private BoundedLoadRouter(RingRouter<N> ring, double factor) {
    this.ring = ring;
    this.factor = factor;
    List<N> nodes = ring.nodes();
    double w = 0;
    for (N n : nodes) {
      w += n.weight();
    }
    int slots = ring.size();
    this.share = new double[slots];
    for (int s = 0; s < slots; s++) {
      share[s] = ring.slot(s).weight() / w;
    }
    this.loads = new AtomicLongArray(slots);
  }

  /**
   * A bounded-load router over a ring with default settings.
   *
   * @param nodes the members
   * @param capacityFactor c, in [1, 100]; 1.25 is a common choice
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the factor or the node set is invalid
   */
  public static <N extends Node> BoundedLoadRouter<N> create(
      Collection<N> nodes, double capacityFactor) {
    return create(ShardRouters.builder(Scheme.RING), nodes, capacityFactor);
  }

  /**
   * A bounded-load router over a ring built by {@code ringBuilder} (to choose points per weight or
   * the hasher).
   *
   * @param ringBuilder a builder for {@link Scheme#RING}
   * @param nodes the members
   * @param capacityFactor c, in [1, 100]
   * @param <N> node type
   * @return the router
   * @throws IllegalArgumentException if the factor, the builder's scheme or the node set is invalid
   */
  public static <N extends Node> BoundedLoadRouter<N> create(
      ShardRouters.Builder ringBuilder, Collection<N> nodes, double capacityFactor) {
    if (!(capacityFactor >= 1.0 && capacityFactor <= 100.0)) {
      throw new IllegalArgumentException(
          "capacityFactor must be in [1.0, 100.0], was " + capacityFactor);
    }
    ShardRouter<N> r = ringBuilder.build(nodes);
    if (!(r instanceof RingRouter)) {
      throw new IllegalArgumentException(
          "bounded loads walk a ring: the builder's scheme must be RING, was " + r.scheme());
    }
    return new BoundedLoadRouter<>((RingRouter<N>) r, capacityFactor);
  }

  /**
   * The node for a key given the caller's loads.
   *
   * @param key the key, not null
   * @param loads current loads
   * @return the first node clockwise from the key's ring position that is below capacity
   * @throws IllegalStateException if {@code loads} is inconsistent (every node at or above
   *     capacity, impossible when {@link LoadView#totalLoad()} is at least the sum of loads)
   */
  public N route(Object key, LoadView<N> loads) {
    return routeHash(ring.hasher().hashObject(key), loads);
  }

  /**
   * The node for a {@code long} key given the caller's loads; see {@link #route(Object, LoadView)}.
   *
   * @param key the key
   * @param loads current loads
   * @return the node
   */
  public N route(long key, LoadView<N> loads) {
    return routeHash(ring.hasher().hashLong(key), loads);
  }

  /**
   * The node for a key hash given the caller's loads; see {@link #route(Object, LoadView)}.
   * Allocation-free if {@code loads} is.
   *
   * @param hash the key hash
   * @param loads current loads
   * @return the node
   */
  public N routeHash(long hash, LoadView<N> loads) {
    Objects.requireNonNull(loads, "loads must not be null");
    long totalAfter = loads.totalLoad() + 1;
    int p = ring.successorPoint(hash);
    int points = ring.pointCount();
    for (int step = 0; step < points; step++) {
      int s = ring.pointOwner(p);
      N node = ring.slot(s);
      if (loads.load(node) < capacity(s, totalAfter)) {
        return node;
      }
      p = p + 1 == points ? 0 : p + 1;
    }
    throw new IllegalStateException(
        "every node is at or above capacity: LoadView.totalLoad()="
            + loads.totalLoad()
            + " is smaller than the sum of its node loads");
  }

  private long capacity(int slot, long totalAfter) {
    return (long) Math.ceil(factor * totalAfter * share[slot]);
  }

  /**
   * The capacity of a node when the total load (including the request being placed) is {@code
   * totalLoad}.
   *
   * @param node a member
   * @param totalLoad total load
   * @return {@code ceil(c × totalLoad × weight / totalWeight)}
   * @throws IllegalArgumentException if {@code node} is not a member
   */
  public long capacity(N node, long totalLoad) {
    return capacity(slotOf(node.id()), totalLoad);
  }

  /**
   * Places a key and counts it against the chosen node until the lease is released.
   *
   * @param key the key, not null
   * @return the lease
   */
  public Lease<N> acquire(Object key) {
    return acquireHash(ring.hasher().hashObject(key));
  }

  /**
   * Places a {@code long} key; see {@link #acquire(Object)}.
   *
   * @param key the key
   * @return the lease
   */
  public Lease<N> acquire(long key) {
    return acquireHash(ring.hasher().hashLong(key));
  }

  /**
   * Places a key hash; see {@link #acquire(Object)}. Lock-free: a pass over the ring fails only if
   * other threads raised the total load meanwhile, and then it retries with the fresh total.
   *
   * @param hash the key hash
   * @return the lease
   */
  public Lease<N> acquireHash(long hash) {
    long t = total.incrementAndGet();
    int points = ring.pointCount();
    while (true) {
      int p = ring.successorPoint(hash);
      for (int step = 0; step < points; step++) {
        int s = ring.pointOwner(p);
        long cap = capacity(s, t);
        long l = loads.get(s);
        while (l < cap) {
          if (loads.compareAndSet(s, l, l + 1)) {
            return new Lease<>(this, s, l + 1, cap);
          }
          l = loads.get(s);
        }
        p = p + 1 == points ? 0 : p + 1;
      }
      t = Math.max(t, total.get());
    }
  }

  /**
   * Current count of leases held on a node.
   *
   * @param nodeId the node id
   * @return its load
   * @throws IllegalArgumentException if no such member
   */
  public long load(String nodeId) {
    return loads.get(slotOf(nodeId));
  }

  /**
   * Current count of leases held.
   *
   * @return the total load
   */
  public long totalLoad() {
    return total.get();
  }

  /**
   * The capacity factor c.
   *
   * @return c
   */
  public double capacityFactor() {
    return factor;
  }

  /**
   * The underlying ring (the unbounded placement).
   *
   * @return the ring router
   */
  public ShardRouter<N> ring() {
    return ring;
  }

  /**
   * The members, sorted by id.
   *
   * @return the nodes
   */
  public List<N> nodes() {
    return ring.nodes();
  }

  private int slotOf(String id) {
    int s = ring.slotIndexOf(id);
    if (s < 0) {
      throw new IllegalArgumentException("no node with id '" + id + "'");
    }
    return s;
  }

  private void release(int slot) {
    loads.decrementAndGet(slot);
    total.decrementAndGet();
  }

  /**
   * One placed request, counted against its node until released. Thread-safe; {@link #release()} is
   * idempotent.
   *
   * @param <N> node type
   */
  public static final class Lease<N extends Node> implements AutoCloseable {
    private final BoundedLoadRouter<N> owner;
    private final int slot;
    private final long loadAtAcquire;
    private final long capacityAtAcquire;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(BoundedLoadRouter<N> owner, int slot, long loadAtAcquire, long capacity) {
      this.owner = owner;
      this.slot = slot;
      this.loadAtAcquire = loadAtAcquire;
      this.capacityAtAcquire = capacity;
    }

    /**
     * The chosen node.
     *
     * @return the node
     */
    public N node() {
      return owner.ring.slot(slot);
    }

    /**
     * The node's load right after this lease was counted.
     *
     * @return load including this lease
     */
    public long loadAtAcquire() {
      return loadAtAcquire;
    }

    /**
     * The node's capacity when this lease was placed; {@link #loadAtAcquire()} never exceeds it.
     *
     * @return capacity
     */
    public long capacityAtAcquire() {
      return capacityAtAcquire;
    }

    /** Stops counting this request; later calls do nothing. */
    public void release() {
      if (released.compareAndSet(false, true)) {
        owner.release(slot);
      }
    }

    /** Same as {@link #release()}. */
    @Override
    public void close() {
      release();
    }
  }
}
