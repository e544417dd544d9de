/**
 * Consistent hashing, replica placement, bounded loads and rebalancing plans.
 *
 * <p>Start at {@link io.dsblocks.sharding.ShardRouters}: it builds a {@link
 * io.dsblocks.sharding.ShardRouter} for any {@link io.dsblocks.sharding.Scheme} (ring, jump,
 * rendezvous, Maglev, multi-probe, AnchorHash). Routers are immutable; {@code withNode}/{@code
 * withoutNode} return new ones, and {@link io.dsblocks.sharding.RebalancePlan} says what moves
 * between two of them. {@link io.dsblocks.sharding.ShardedStore} routes reads and writes to
 * per-node backends and migrates live; {@link io.dsblocks.sharding.BoundedLoadRouter} caps each
 * node's load; {@link io.dsblocks.sharding.HotKeyTracker} finds hot keys per node.
 */
package io.dsblocks.sharding;
