package io.dsblocks.sharding;

/**
 * The placement algorithms behind {@link ShardRouter}. See the module README for balance, movement
 * and speed of each, measured.
 */
public enum Scheme {
  /**
   * Consistent-hash ring with virtual nodes ({@code pointsPerWeight × weight} points per node) in a
   * sorted primitive array plus a bucket index over the top bits of the hash. Weights: yes.
   * Movement on add/remove: ideal (only the changed node's ranges). Lookup: O(1) expected.
   */
  RING,
  /**
   * Lamping–Veach jump consistent hash over node slots, with a stable-id layer: adding appends a
   * slot (ideal movement, 1/(n+1)); removing the last-added node is ideal (1/n); removing any other
   * node moves its slot's keys <em>and</em> the last slot's keys (about 2/n) because the last node
   * takes over the removed slot. Weights: no (non-unit weights are rejected). Lookup: O(ln n).
   */
  JUMP,
  /**
   * Weighted rendezvous (highest-random-weight) hashing, logarithmic method: score = -weight /
   * ln(u(key, node)). Weights: yes, exact proportions. Movement: ideal. Lookup: O(n).
   */
  RENDEZVOUS,
  /**
   * Maglev hashing: a prime-size lookup table (default 65537) filled from per-node permutations of
   * nodes sorted by id, so the table does not depend on insertion order. Weights: yes. Balance:
   * near perfect. Movement: above ideal, because refilling the table also reassigns entries between
   * surviving nodes; measured with M = 65537: 1.03× ideal at 10 nodes, 1.5× at 100, 7× at 1000
   * (4.4× with M = 655373). Prefer another scheme when membership changes often at large n. Lookup:
   * O(1), one table load.
   */
  MAGLEV,
  /**
   * Multi-probe consistent hashing: one ring point per node and {@code probes} hashes per key; the
   * key goes to the node whose point follows any probe most closely. Weights: no. Movement: ideal.
   * Lookup: O(probes).
   */
  MULTI_PROBE,
  /**
   * AnchorHash: O(1) expected lookup, a few int arrays of size {@code capacity}, arbitrary removals
   * with ideal movement. Placement depends on the history of additions/removals (apply the same
   * membership changes in the same order everywhere). Weights: no.
   */
  ANCHOR
}
