package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.KeyHasher;
import io.dsblocks.sharding.Scheme;

/**
 * Validated settings of a router, kept by every router so membership changes rebuild with the same
 * settings.
 *
 * @param scheme the algorithm
 * @param hasher key hasher
 * @param pointsPerWeight ring points per unit of weight
 * @param maglevTableSize Maglev table size (prime)
 * @param probes multi-probe probe count
 * @param anchorCapacity AnchorHash capacity; 0 = automatic
 */
public record RouterSpec(
    Scheme scheme,
    KeyHasher hasher,
    int pointsPerWeight,
    int maglevTableSize,
    int probes,
    int anchorCapacity) {}
