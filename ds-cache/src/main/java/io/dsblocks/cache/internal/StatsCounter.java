package io.dsblocks.cache.internal;

import java.util.concurrent.atomic.LongAdder;

/** The cache's counters; {@link LongAdder}s so that concurrent hits do not contend on a line. */
final class StatsCounter {
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder loadNanos = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder staleDiscarded = new LongAdder();
  final LongAdder tierHits = new LongAdder();
  final LongAdder tierErrors = new LongAdder();
}
