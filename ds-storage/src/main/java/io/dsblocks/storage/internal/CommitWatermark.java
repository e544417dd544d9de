package io.dsblocks.storage.internal;

import io.dsblocks.storage.internal.index.IdAllocator;
import java.util.TreeSet;

/**
 * Allocates version ids and knows the highest id below which every version is settled (committed or
 * failed for good): the <em>watermark</em> snapshots and garbage collection read.
 *
 * <p>Why not simply "the last committed id": two commits allocate 5 and 6 and may write in either
 * order. If 6 lands first, a snapshot at 6 would later see 5 appear. The watermark is therefore one
 * below the smallest id still in flight, or the last issued id when none is: no version with an id
 * at or below it can ever appear later, so a view at the watermark is immutable, and an in-flight
 * put or batch is either entirely below it (committed) or entirely above it. The watermark never
 * decreases: ids are issued in increasing order, so every id at or below an earlier watermark was
 * already settled.
 *
 * <p>Thread-safe; one short critical section per commit.
 */
final class CommitWatermark {
  private final IdAllocator ids;
  private final TreeSet<Long> inFlight = new TreeSet<>();

  CommitWatermark(IdAllocator ids) {
    this.ids = ids;
  }

  /**
   * Issues a version id and records it as in flight; pair with {@link #settle}.
   *
   * @return the id
   */
  synchronized long begin() {
    long id = ids.next();
    inFlight.add(id);
    return id;
  }

  /**
   * Marks an id as settled, whether its commit succeeded or failed.
   *
   * @param id an id from {@link #begin()}
   */
  synchronized void settle(long id) {
    inFlight.remove(id);
  }

  /**
   * Returns the watermark.
   *
   * @return every version id at or below it is settled
   */
  synchronized long watermark() {
    return inFlight.isEmpty() ? ids.lastIssued() : inFlight.first() - 1;
  }
}
