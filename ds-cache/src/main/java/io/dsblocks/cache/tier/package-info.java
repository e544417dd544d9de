/**
 * Cache tiers below the heap: {@link io.dsblocks.cache.tier.ChronicleMapTier}, an off-heap and
 * optionally persistent L2 on Chronicle Map.
 */
package io.dsblocks.cache.tier;
