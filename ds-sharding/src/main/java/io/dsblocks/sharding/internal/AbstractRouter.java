package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.KeyHasher;
import io.dsblocks.sharding.Node;
import io.dsblocks.sharding.Scheme;
import io.dsblocks.sharding.ShardRouter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Shared machinery of all routers: validation, the slot table (slot index to node), replicas with
 * zone awareness, and rebuild-on-change. Subclasses implement {@link #slotOf(long)}.
 *
 * @param <N> node type
 */
public abstract class AbstractRouter<N extends Node> implements ShardRouter<N> {
  /** Settings, reused when membership changes. */
  protected final RouterSpec spec;

  /**
   * Slot index to node; may contain nulls (AnchorHash's removed buckets). Typed {@code Node[]}
   * rather than {@code Object[]} so reading a slot needs no interface type check.
   */
  protected final Node[] slots;

  /** Stable hash of each slot's node id (0 for empty slots). */
  protected final long[] slotIdHash;

  private final KeyHasher hasher;
  private final List<N> sortedNodes;
  private final Map<String, Integer> slotById;
  private final int[] liveSlots;

  /**
   * Creates the router shell.
   *
   * @param spec settings
   * @param slots slot table (nulls allowed for empty slots)
   */
  protected AbstractRouter(RouterSpec spec, Node[] slots) {
    this.spec = spec;
    this.hasher = spec.hasher();
    this.slots = slots;
    this.slotIdHash = new long[slots.length];
    this.slotById = new HashMap<>();
    List<N> list = new ArrayList<>();
    int live = 0;
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] != null) {
        N n = slot(i);
        slotIdHash[i] = Mix.idHash(n.id());
        slotById.put(n.id(), i);
        list.add(n);
        live++;
      }
    }
    this.liveSlots = new int[live];
    int k = 0;
    for (int i = 0; i < slots.length; i++) {
      if (slots[i] != null) {
        liveSlots[k++] = i;
      }
    }
    list.sort(Comparator.comparing(Node::id));
    this.sortedNodes = Collections.unmodifiableList(list);
  }

  /**
   * The slot owning a hash. Must not allocate.
   *
   * @param hash key hash
   * @return slot index whose entry in {@link #slots} is non-null
   */
  protected abstract int slotOf(long hash);

  /**
   * The node in a slot.
   *
   * @param slot slot index
   * @return the node (null for an empty slot)
   */
  @SuppressWarnings("unchecked")
  public final N slot(int slot) {
    return (N) slots[slot];
  }

  /**
   * The slot of a member.
   *
   * @param id node id
   * @return slot index or -1
   */
  public final int slotIndexOf(String id) {
    Integer s = slotById.get(id);
    return s == null ? -1 : s;
  }

  @Override
  public final N routeHash(long hash) {
    return slot(slotOf(hash));
  }

  @Override
  public final N route(long key) {
    return slot(slotOf(hasher.hashLong(key)));
  }

  @Override
  public final N route(byte[] key) {
    return slot(slotOf(hasher.hashBytes(key)));
  }

  @Override
  public final N route(CharSequence key) {
    return slot(slotOf(hasher.hashChars(key)));
  }

  @Override
  public final N route(Object key) {
    return slot(slotOf(hasher.hashObject(key)));
  }

  /**
   * All live slots in preference order for a hash; the first is {@link #slotOf(long)}. The default
   * ranks the others by an (unweighted) rendezvous score, which keeps replica sets stable when
   * unrelated nodes join or leave.
   *
   * @param hash key hash
   * @return every live slot exactly once
   */
  protected int[] preference(long hash) {
    int primary = slotOf(hash);
    int n = liveSlots.length;
    long[] keyed = new long[n - 1];
    int k = 0;
    for (int s : liveSlots) {
      if (s != primary) {
        // Pack (score, slot) so one primitive sort ranks them; high 40 bits of score suffice.
        long score = Mix.mix64(hash ^ slotIdHash[s]) >>> 24;
        keyed[k++] = (score << 24) | s;
      }
    }
    Arrays.sort(keyed);
    int[] out = new int[n];
    out[0] = primary;
    for (int i = 0; i < n - 1; i++) {
      out[i + 1] = (int) (keyed[n - 2 - i] & 0xFFFFFF);
    }
    return out;
  }

  @Override
  public final List<N> replicasForHash(long hash, int r) {
    if (r < 1 || r > liveSlots.length) {
      throw new IllegalArgumentException(
          "replica count r must be in [1, " + liveSlots.length + "] (the node count), was " + r);
    }
    if (r == 1) {
      return List.of(routeHash(hash));
    }
    int[] order = preference(hash);
    List<N> out = new ArrayList<>(r);
    boolean[] taken = new boolean[order.length];
    Set<String> zones = new HashSet<>();
    // Pass 1: only nodes in zones not used yet, in preference order.
    for (int i = 0; i < order.length && out.size() < r; i++) {
      N n = slot(order[i]);
      if (zones.add(n.zone())) {
        out.add(n);
        taken[i] = true;
      }
    }
    // Pass 2: fewer zones than replicas; fill in preference order.
    for (int i = 0; i < order.length && out.size() < r; i++) {
      if (!taken[i]) {
        out.add(slot(order[i]));
      }
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public final List<N> nodes() {
    return sortedNodes;
  }

  @Override
  public final int size() {
    return sortedNodes.size();
  }

  @Override
  public final Optional<N> node(String id) {
    Integer s = slotById.get(id);
    return s == null ? Optional.empty() : Optional.of(slot(s));
  }

  @Override
  public final KeyHasher hasher() {
    return hasher;
  }

  @Override
  public final Scheme scheme() {
    return spec.scheme();
  }

  /**
   * The settings.
   *
   * @return the spec
   */
  public final RouterSpec spec() {
    return spec;
  }

  @Override
  public ShardRouter<N> withNode(N node) {
    Objects.requireNonNull(node, "node must not be null");
    List<N> next = new ArrayList<>(sortedNodes);
    next.add(node);
    return Routers.create(spec, next);
  }

  @Override
  public ShardRouter<N> withoutNode(String id) {
    requireRemovable(id);
    List<N> next = new ArrayList<>(sortedNodes);
    next.removeIf(n -> n.id().equals(id));
    return Routers.create(spec, next);
  }

  /**
   * Checks that {@code id} names a member and is not the last one.
   *
   * @param id node id
   */
  protected final void requireRemovable(String id) {
    Objects.requireNonNull(id, "node id must not be null");
    if (!slotById.containsKey(id)) {
      throw new IllegalArgumentException("no node with id '" + id + "' in " + sortedNodes);
    }
    if (sortedNodes.size() == 1) {
      throw new IllegalArgumentException(
          "cannot remove '" + id + "': it is the last node (node set must not be empty)");
    }
  }

  /**
   * Checks a node about to be added (id not taken, valid for the scheme).
   *
   * @param node the node
   */
  protected final void requireAddable(N node) {
    Objects.requireNonNull(node, "node must not be null");
    Routers.validate(spec.scheme(), List.of(node));
    if (slotById.containsKey(node.id())) {
      throw new IllegalArgumentException("duplicate node id '" + node.id() + "'");
    }
  }

  @Override
  public String toString() {
    return scheme() + "Router" + sortedNodes;
  }

  static <N extends Node> Node[] sortedById(Collection<N> nodes) {
    Node[] a = nodes.toArray(new Node[0]);
    Arrays.sort(a, Comparator.comparing(Node::id));
    return a;
  }
}
