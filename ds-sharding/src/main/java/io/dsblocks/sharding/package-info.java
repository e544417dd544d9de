/** Consistent hashing, replica placement, bounded loads and rebalancing plans. */
package io.dsblocks.sharding;
