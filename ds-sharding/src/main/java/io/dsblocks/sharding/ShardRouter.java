package io.dsblocks.sharding;

import java.util.List;
import java.util.Optional;

/**
 * Routes keys to nodes. Obtain one from {@link ShardRouters}.
 *
 * <p>Routers are immutable: {@link #withNode} and {@link #withoutNode} return a new router and
 * leave this one untouched, so lookups are lock-free and a membership change is published by
 * swapping one reference (e.g. a {@code volatile} field or an {@code AtomicReference}). Lookups of
 * {@code long} keys and of pre-computed hashes never allocate; {@code byte[]} and {@code String}
 * keys do not allocate in the default hasher either.
 *
 * <p>Every {@code route} overload hashes the key with {@link #hasher()} and calls {@link
 * #routeHash(long)}, so {@code route(k)} is the same node as {@code routeHash(hasher().hashX(k))}.
 *
 * <p>Thread-safety: instances are immutable and safe for unlimited concurrent use.
 *
 * @param <N> the node type
 */
public interface ShardRouter<N extends Node> {

  /**
   * Returns the node owning a key hash.
   *
   * @param hash a 64-bit key hash (all 64 bits are used)
   * @return the owner
   */
  N routeHash(long hash);

  /**
   * Returns the node owning a {@code long} key.
   *
   * @param key the key
   * @return the owner
   */
  default N route(long key) {
    return routeHash(hasher().hashLong(key));
  }

  /**
   * Returns the node owning a byte-array key.
   *
   * @param key the key, not null
   * @return the owner
   * @throws NullPointerException if {@code key} is null
   */
  default N route(byte[] key) {
    return routeHash(hasher().hashBytes(key));
  }

  /**
   * Returns the node owning a character-sequence key.
   *
   * @param key the key, not null
   * @return the owner
   * @throws NullPointerException if {@code key} is null
   */
  default N route(CharSequence key) {
    return routeHash(hasher().hashChars(key));
  }

  /**
   * Returns the node owning any key, hashed by {@link KeyHasher#hashObject(Object)}.
   *
   * @param key the key, not null
   * @return the owner
   * @throws NullPointerException if {@code key} is null
   */
  default N route(Object key) {
    return routeHash(hasher().hashObject(key));
  }

  /**
   * Returns {@code r} distinct nodes for a key hash, in preference order: the first is {@link
   * #routeHash(long)}; the rest follow the scheme's natural successor order (clockwise for the
   * ring, descending score for rendezvous, rendezvous order for the others). Zone-aware: no two
   * replicas share a zone while the cluster has at least {@code r} zones; otherwise every zone is
   * used before any is repeated.
   *
   * @param hash the key hash
   * @param r how many replicas, 1 to {@link #size()}
   * @return an immutable list of {@code r} distinct nodes
   * @throws IllegalArgumentException if {@code r} is out of range
   */
  List<N> replicasForHash(long hash, int r);

  /**
   * Returns {@code r} distinct replicas of a {@code long} key; see {@link #replicasForHash}.
   *
   * @param key the key
   * @param r how many replicas, 1 to {@link #size()}
   * @return an immutable list of {@code r} distinct nodes
   * @throws IllegalArgumentException if {@code r} is out of range
   */
  default List<N> replicas(long key, int r) {
    return replicasForHash(hasher().hashLong(key), r);
  }

  /**
   * Returns {@code r} distinct replicas of any key; see {@link #replicasForHash}.
   *
   * @param key the key, not null
   * @param r how many replicas, 1 to {@link #size()}
   * @return an immutable list of {@code r} distinct nodes
   * @throws IllegalArgumentException if {@code r} is out of range
   * @throws NullPointerException if {@code key} is null
   */
  default List<N> replicas(Object key, int r) {
    return replicasForHash(hasher().hashObject(key), r);
  }

  /**
   * The members, sorted by id.
   *
   * @return an immutable list
   */
  List<N> nodes();

  /**
   * The number of members (at least 1).
   *
   * @return the size
   */
  int size();

  /**
   * Looks a member up by id.
   *
   * @param id the node id
   * @return the node, or empty if it is not a member
   */
  Optional<N> node(String id);

  /**
   * Returns a router with one more node; this router is unchanged.
   *
   * @param node the new node
   * @return the new router
   * @throws IllegalArgumentException if a node with the same id is already a member, or the node is
   *     invalid for this scheme
   */
  ShardRouter<N> withNode(N node);

  /**
   * Returns a router without the node of that id; this router is unchanged.
   *
   * @param id the id of the member to remove
   * @return the new router
   * @throws IllegalArgumentException if no such member exists, or it is the last one
   */
  ShardRouter<N> withoutNode(String id);

  /**
   * The hasher that turns keys into hashes.
   *
   * @return the hasher
   */
  KeyHasher hasher();

  /**
   * The placement algorithm.
   *
   * @return the scheme
   */
  Scheme scheme();
}
