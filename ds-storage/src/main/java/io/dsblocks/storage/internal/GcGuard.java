package io.dsblocks.storage.internal;

import io.dsblocks.storage.StorageException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The protocol that keeps garbage collection from deleting a chunk a concurrent writer relies on.
 *
 * <p>Writers ({@link CommitGroup}s: one per put, one per batch) register in the current
 * <em>epoch</em> when they start and leave when they end. A GC cycle:
 *
 * <ol>
 *   <li>opens a new epoch with an empty <em>protected set</em>, then waits until every writer of an
 *       older epoch has finished. From then on, every running writer is one that started after the
 *       protected set existed;
 *   <li>such writers add every chunk id they touch (new, borrowed from another in-flight put, or
 *       deduplicated against the index) to the protected set <em>before</em> looking it up, while
 *       holding the read side of the sweep lock;
 *   <li>GC marks from a consistent view taken after the wait, and deletes a chunk only while
 *       holding the write side of the sweep lock, and only if it is not protected.
 * </ol>
 *
 * Why that is safe: a chunk a writer commits a reference to was either committed (with its catalog
 * row) before the mark view — then the mark sees the reference — or belongs to a writer running
 * after the wait, which protected the id before its lookup. The lock makes "protect, then look up"
 * and "check, then delete" mutually exclusive, so either GC sees the protection and keeps the
 * chunk, or the deletion is complete before the lookup, which then misses it and the writer stores
 * the chunk again. Writers outside a cycle pay one volatile read per chunk.
 *
 * <p>Thread-safe.
 */
final class GcGuard {
  private final ReentrantReadWriteLock sweepLock = new ReentrantReadWriteLock();
  private final Map<Long, Integer> writers = new HashMap<>();
  private long epoch;
  private volatile Set<ChunkKey> protectedIds;

  /**
   * Registers a writer.
   *
   * @return its epoch, for {@link #leave}
   */
  synchronized long enter() {
    writers.merge(epoch, 1, Integer::sum);
    return epoch;
  }

  /**
   * Unregisters a writer.
   *
   * @param writerEpoch what {@link #enter()} returned
   */
  synchronized void leave(long writerEpoch) {
    writers.computeIfPresent(writerEpoch, (k, n) -> n == 1 ? null : n - 1);
    notifyAll();
  }

  /**
   * Called by a writer before it looks up, borrows or writes a chunk; runs {@code lookup} under the
   * read side of the sweep lock when a cycle is running.
   *
   * @param key the chunk
   * @param action the lookup to run protected
   * @param <T> its result
   * @return the action's result
   */
  <T> T protect(ChunkKey key, java.util.function.Supplier<T> action) {
    Set<ChunkKey> set = protectedIds;
    if (set == null) {
      return action.get();
    }
    ReentrantReadWriteLock.ReadLock l = sweepLock.readLock();
    l.lock();
    try {
      set.add(key);
      return action.get();
    } finally {
      l.unlock();
    }
  }

  /**
   * Starts a cycle: a new epoch with a protected set, then waits for older writers to finish.
   *
   * @param timeoutNanos how long to wait for them (a bound, not a timestamp, so the JVM's monotonic
   *     clock is the right one)
   * @throws StorageException if writers did not finish in time (the cycle is then ended)
   */
  synchronized void beginCycle(long timeoutNanos) {
    epoch++;
    protectedIds = ConcurrentHashMap.newKeySet();
    long deadline = System.nanoTime() + timeoutNanos;
    boolean interrupted = false;
    try {
      while (olderWriters() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          int n = olderWriters();
          protectedIds = null;
          throw new StorageException(
              "garbage collection could not start: "
                  + n
                  + " put(s) or open batch(es) older than the cycle did not finish within "
                  + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                  + " ms");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private int olderWriters() {
    int n = 0;
    for (Map.Entry<Long, Integer> e : writers.entrySet()) {
      if (e.getKey() < epoch) {
        n += e.getValue();
      }
    }
    return n;
  }

  /** Ends a cycle; writers stop protecting. */
  void endCycle() {
    protectedIds = null;
  }

  /**
   * Whether a chunk is protected in the running cycle. Call with the sweep lock's write side held.
   *
   * @param id chunk id
   * @return true if some writer touched it during the cycle
   */
  boolean isProtected(byte[] id) {
    Set<ChunkKey> set = protectedIds;
    return set != null && set.contains(new ChunkKey(id));
  }

  /**
   * Returns the write side of the sweep lock (GC deletes under it).
   *
   * @return the lock
   */
  ReentrantReadWriteLock.WriteLock sweepLock() {
    return sweepLock.writeLock();
  }
}
