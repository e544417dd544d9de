package io.dsblocks.sharding;

/**
 * One unit of a {@link RebalancePlan}: keys that belong to {@code from} before and to {@code to}
 * after the membership change.
 *
 * <p>A <em>range</em> move (ring and Maglev plans) covers exactly the keys whose hash lies in the
 * unsigned range {@code [startHash, endHash]}. A <em>pair</em> move (other schemes, whose owner is
 * not constant over hash ranges) covers the keys whose owner goes from {@code from} to {@code to},
 * wherever their hash lies; its range is the whole space and {@link #isRange()} is false.
 *
 * <p>Immutable and thread-safe.
 *
 * @param index position in {@link RebalancePlan#moves()}
 * @param startHash first hash of the range (unsigned), 0 for pair moves
 * @param endHash last hash of the range (unsigned, inclusive), -1 (2^64-1) for pair moves
 * @param from the owner before
 * @param to the owner after
 * @param fraction share of the whole key space this move carries (exact for range moves, estimated
 *     for pair moves)
 * @param isRange whether this move is an exact hash range
 * @param <N> node type
 */
public record Move<N extends Node>(
    int index, long startHash, long endHash, N from, N to, double fraction, boolean isRange) {

  /**
   * Whether a hash lies in this move's range (always true for pair moves, which are selected by
   * owner instead).
   *
   * @param hash a key hash
   * @return whether {@code startHash <= hash <= endHash}, unsigned
   */
  public boolean containsHash(long hash) {
    return Long.compareUnsigned(hash, startHash) >= 0 && Long.compareUnsigned(hash, endHash) <= 0;
  }

  @Override
  public String toString() {
    String what = isRange ? String.format("[%016x..%016x]", startHash, endHash) : "keys";
    return String.format(
        java.util.Locale.ROOT,
        "#%d %s %s -> %s (%.4f%% of keys)",
        index,
        what,
        from.id(),
        to.id(),
        fraction * 100);
  }
}
