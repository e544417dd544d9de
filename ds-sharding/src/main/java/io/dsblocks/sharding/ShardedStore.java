package io.dsblocks.sharding;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;

/**
 * Routes get/put/delete to per-node {@link ShardBackend}s and migrates data when membership
 * changes, staying readable and writable throughout.
 *
 * <p>Migration: {@link #beginMigration(ShardRouter)} computes a {@link RebalancePlan}. From then
 * on, a key that moves is written to its new owner (and removed from the old one), and read from
 * the new owner with fallback to the old owner until its move is marked done. {@link
 * #migrate(Move)} copies one move's keys (never overwriting a newer write) and marks it done;
 * {@link #markMoved(int)} marks a move done that you copied yourself. {@link #finishMigration()}
 * switches to the new router once every move is done.
 *
 * <pre>{@code
 * ShardedStore<String, String, SimpleNode> store =
 *     new ShardedStore<>(router, node -> backends.get(node.id()));
 * store.put("k", "v");
 * RebalancePlan<SimpleNode> plan = store.beginMigration(router.withNode(Node.of("f")));
 * for (Move<SimpleNode> m : plan) store.migrate(m);
 * store.finishMigration();
 * }</pre>
 *
 * <p>Thread-safety: thread-safe. Reads are lock-free. Writes and the copying of a key hold one of
 * 64 striped locks chosen by the key's hash, so a concurrent put or delete is never lost or
 * resurrected by a migration.
 *
 * @param <K> key type (hashed with the router's {@link KeyHasher#hashObject(Object)})
 * @param <V> value type
 * @param <N> node type
 */
public final class ShardedStore<K, V, N extends Node> {
  private static final int STRIPES = 64;

  private final Function<? super N, ? extends ShardBackend<K, V>> backends;
  private final Object[] locks = new Object[STRIPES];
  private volatile State<N> state;

  /**
   * Creates a store.
   *
   * @param router the current placement
   * @param backends the backend of each node; called on every operation, so return a cached
   *     instance (e.g. from a map)
   */
  public ShardedStore(
      ShardRouter<N> router, Function<? super N, ? extends ShardBackend<K, V>> backends) {
    this.state = new State<>(Objects.requireNonNull(router, "router must not be null"), null, null);
    this.backends = Objects.requireNonNull(backends, "backends must not be null");
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  private static final class State<N extends Node> {
    final ShardRouter<N> router;
    final RebalancePlan<N> plan; // null when not migrating
    final AtomicIntegerArray moved;

    State(ShardRouter<N> router, RebalancePlan<N> plan, AtomicIntegerArray moved) {
      this.router = router;
      this.plan = plan;
      this.moved = moved;
    }
  }

  private ShardBackend<K, V> backend(N node) {
    ShardBackend<K, V> b = backends.apply(node);
    if (b == null) {
      throw new IllegalStateException("no backend for node '" + node.id() + "'");
    }
    return b;
  }

  private long hash(ShardRouter<N> r, K key) {
    return r.hasher().hashObject(Objects.requireNonNull(key, "key must not be null"));
  }

  private Object lock(long hash) {
    return locks[(int) (Mix64.fold(hash) & (STRIPES - 1))];
  }

  /**
   * Reads a key.
   *
   * @param key the key, not null
   * @return the value or null
   */
  public V get(K key) {
    State<N> s = state;
    long h = hash(s.router, key);
    if (s.plan == null) {
      return backend(s.router.routeHash(h)).get(key);
    }
    int move = s.plan.moveIndexOf(h);
    N newOwner = s.plan.to().routeHash(h);
    V v = backend(newOwner).get(key);
    if (v != null || move < 0 || s.moved.get(move) == 1) {
      return v;
    }
    v = backend(s.plan.from().routeHash(h)).get(key);
    if (v == null) {
      // The copy puts into the new owner before deleting from the old one, so if the key was
      // migrated between our two reads it is in the new owner now.
      v = backend(newOwner).get(key);
    }
    return v;
  }

  /**
   * Writes a key.
   *
   * @param key the key, not null
   * @param value the value, not null
   */
  public void put(K key, V value) {
    Objects.requireNonNull(value, "value must not be null");
    long h = hash(state.router, key);
    // Writes always take their stripe lock and read the state inside it: beginMigration passes
    // through every stripe after publishing the plan, so no write routed by the old state can land
    // after a migration started copying.
    synchronized (lock(h)) {
      State<N> s = state;
      if (s.plan == null) {
        backend(s.router.routeHash(h)).put(key, value);
        return;
      }
      backend(s.plan.to().routeHash(h)).put(key, value);
      N old = s.plan.from().routeHash(h);
      if (!old.id().equals(s.plan.to().routeHash(h).id())) {
        backend(old).delete(key);
      }
    }
  }

  /**
   * Deletes a key (from both owners during a migration).
   *
   * @param key the key, not null
   */
  public void delete(K key) {
    long h = hash(state.router, key);
    synchronized (lock(h)) {
      State<N> s = state;
      if (s.plan == null) {
        backend(s.router.routeHash(h)).delete(key);
        return;
      }
      N now = s.plan.to().routeHash(h);
      backend(now).delete(key);
      N old = s.plan.from().routeHash(h);
      if (!old.id().equals(now.id())) {
        backend(old).delete(key);
      }
    }
  }

  /**
   * Starts moving to a new placement.
   *
   * @param target the new router (same hasher as the current one)
   * @return the plan; migrate each of its moves
   * @throws IllegalStateException if a migration is already in progress
   */
  public synchronized RebalancePlan<N> beginMigration(ShardRouter<N> target) {
    State<N> s = state;
    if (s.plan != null) {
      throw new IllegalStateException("a migration is already in progress; finish it first");
    }
    RebalancePlan<N> plan = RebalancePlan.between(s.router, target);
    state = new State<>(s.router, plan, new AtomicIntegerArray(plan.moves().size()));
    for (Object stripe : locks) {
      synchronized (stripe) {
        // Barrier: waits for writes that read the pre-migration state.
        stripe.hashCode();
      }
    }
    return plan;
  }

  /**
   * Copies the keys of one move from its old owner to its new owner (never overwriting a value
   * written since the migration began), deletes them from the old owner, and marks the move done.
   *
   * @param move a move of the current plan
   * @return number of keys copied
   * @throws IllegalStateException if no migration is in progress
   * @throws IllegalArgumentException if {@code move} is not part of the current plan
   */
  public int migrate(Move<N> move) {
    State<N> s = requireMigrating();
    checkMove(s, move);
    ShardBackend<K, V> source = backend(move.from());
    ShardBackend<K, V> target = backend(move.to());
    List<K> candidates = new ArrayList<>();
    for (K k : source.keys()) {
      candidates.add(k);
    }
    int copied = 0;
    for (K k : candidates) {
      long h = hash(s.router, k);
      if (!move.containsHash(h) || s.plan.moveIndexOf(h) != move.index()) {
        continue;
      }
      synchronized (lock(h)) {
        V v = source.get(k);
        if (v != null) {
          target.putIfAbsent(k, v);
          source.delete(k);
          copied++;
        }
      }
    }
    s.moved.set(move.index(), 1);
    return copied;
  }

  /**
   * Marks a move done after you copied its keys yourself; reads stop falling back to the old owner
   * for it.
   *
   * @param moveIndex {@link Move#index()}
   * @throws IllegalStateException if no migration is in progress
   * @throws IllegalArgumentException if the index is out of range
   */
  public void markMoved(int moveIndex) {
    State<N> s = requireMigrating();
    if (moveIndex < 0 || moveIndex >= s.moved.length()) {
      throw new IllegalArgumentException(
          "moveIndex must be in [0, " + s.moved.length() + "), was " + moveIndex);
    }
    s.moved.set(moveIndex, 1);
  }

  /**
   * Whether a move is done.
   *
   * @param moveIndex {@link Move#index()}
   * @return true once migrated or marked
   */
  public boolean isMoved(int moveIndex) {
    State<N> s = requireMigrating();
    return s.moved.get(moveIndex) == 1;
  }

  /**
   * Completes the migration: the target router becomes current.
   *
   * @return the new current router
   * @throws IllegalStateException if no migration is in progress or a move is not done yet
   */
  public synchronized ShardRouter<N> finishMigration() {
    State<N> s = requireMigrating();
    for (int i = 0; i < s.moved.length(); i++) {
      if (s.moved.get(i) == 0) {
        throw new IllegalStateException(
            "move " + s.plan.moves().get(i) + " is not done; migrate or mark it first");
      }
    }
    state = new State<>(s.plan.to(), null, null);
    return s.plan.to();
  }

  /**
   * The current router (the old one while migrating).
   *
   * @return the router
   */
  public ShardRouter<N> router() {
    return state.router;
  }

  /**
   * The plan being executed, or null.
   *
   * @return the plan or null
   */
  public RebalancePlan<N> migration() {
    return state.plan;
  }

  private State<N> requireMigrating() {
    State<N> s = state;
    if (s.plan == null) {
      throw new IllegalStateException("no migration in progress; call beginMigration first");
    }
    return s;
  }

  private void checkMove(State<N> s, Move<N> move) {
    Objects.requireNonNull(move, "move must not be null");
    if (move.index() < 0
        || move.index() >= s.plan.moves().size()
        || s.plan.moves().get(move.index()) != move) {
      throw new IllegalArgumentException("move " + move + " is not part of the current plan");
    }
  }

  /** Folds a hash to pick a lock stripe. */
  private static final class Mix64 {
    private Mix64() {}

    static long fold(long h) {
      return h ^ (h >>> 32) ^ (h >>> 17);
    }
  }
}
