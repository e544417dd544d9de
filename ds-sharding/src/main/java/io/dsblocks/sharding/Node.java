package io.dsblocks.sharding;

/**
 * A member of a sharded cluster: something keys are routed to.
 *
 * <p>Routers identify nodes only by {@link #id()}: two nodes with the same id are the same node,
 * and every placement decision is a function of ids (never of insertion order or object identity),
 * so two processes that build a router from the same nodes agree on every key. Implement this
 * interface on your own server/connection type, or use {@link #of(String)} and friends.
 *
 * <p>Implementations must be immutable (at least {@code id}, {@code weight} and {@code zone} must
 * never change) and therefore thread-safe.
 */
public interface Node {

  /**
   * The stable identity of this node, e.g. {@code "cache-7"}. Never {@code null} or empty.
   *
   * @return the id
   */
  String id();

  /**
   * Relative capacity: a node of weight 2 receives about twice the keys of a node of weight 1 in
   * schemes that support weights (ring, rendezvous, Maglev, bounded loads). Must be finite and
   * greater than zero.
   *
   * @return the weight, 1.0 by default
   */
  default double weight() {
    return 1.0;
  }

  /**
   * The failure domain (rack, availability zone) of this node; replica placement puts replicas in
   * distinct zones while enough zones exist.
   *
   * @return the zone, the empty string by default (all such nodes share one zone)
   */
  default String zone() {
    return "";
  }

  /**
   * A node of weight 1 in the default zone.
   *
   * @param id the stable id
   * @return the node
   * @throws IllegalArgumentException if {@code id} is empty
   * @throws NullPointerException if {@code id} is null
   */
  static SimpleNode of(String id) {
    return new SimpleNode(id, 1.0, "");
  }

  /**
   * A weighted node in the default zone.
   *
   * @param id the stable id
   * @param weight the relative capacity, finite and greater than zero
   * @return the node
   * @throws IllegalArgumentException if {@code id} is empty or {@code weight} is out of range
   */
  static SimpleNode of(String id, double weight) {
    return new SimpleNode(id, weight, "");
  }

  /**
   * A weighted node in a zone.
   *
   * @param id the stable id
   * @param weight the relative capacity, finite and greater than zero
   * @param zone the failure domain
   * @return the node
   * @throws IllegalArgumentException if {@code id} is empty or {@code weight} is out of range
   */
  static SimpleNode of(String id, double weight, String zone) {
    return new SimpleNode(id, weight, zone);
  }
}
