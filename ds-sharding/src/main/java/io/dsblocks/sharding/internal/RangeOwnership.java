package io.dsblocks.sharding.internal;

/**
 * Implemented by routers whose owner is constant over contiguous hash ranges (ring, Maglev), so a
 * rebalancing plan can list exact ranges.
 */
public interface RangeOwnership {
  /**
   * Range starts in ascending unsigned order; the first is 0. Range {@code k} covers {@code
   * [starts[k], starts[k+1] - 1]}, the last one ends at 2^64-1.
   *
   * @return starts (not to be modified)
   */
  long[] rangeStarts();

  /**
   * Owning slot of each range, parallel to {@link #rangeStarts()}.
   *
   * @return owners (not to be modified)
   */
  int[] rangeOwners();
}
