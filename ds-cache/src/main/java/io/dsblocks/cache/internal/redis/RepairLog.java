package io.dsblocks.cache.internal.redis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The keys of a shared Redis namespace that may hold a stale value because a put or remove of
 * theirs failed (Redis down, timeout). They must be deleted once Redis answers again: otherwise a
 * missed invalidation would leave the old value readable by every node until its TTL, or forever.
 *
 * <p>Bounded: past {@code capacity} distinct keys the log stops recording keys and marks the whole
 * namespace dirty instead (a clear of the namespace covers every key). A failed clear marks it
 * dirty too.
 *
 * <p>Each remembered key carries a stamp so that a repair only forgets the very failure it
 * repaired: a key that fails again while its delete is on the wire stays remembered.
 *
 * <p>Thread-safe.
 *
 * @param <K> the cache's key type (kept to tell a listener which key was repaired)
 */
public final class RepairLog<K> {

  /**
   * One remembered key.
   *
   * @param redisKey the full Redis key (namespace prefix included)
   * @param key the cache key
   * @param stamp when it was remembered (a counter, not a time)
   * @param <K> key type
   */
  public record Pending<K>(byte[] redisKey, K key, long stamp) {}

  private final int capacity;
  private final ConcurrentHashMap<RedisKey, Pending<K>> pending = new ConcurrentHashMap<>();
  private final AtomicLong stamps = new AtomicLong();
  private final LongAdder overflows = new LongAdder();
  private volatile boolean namespaceDirty;

  /**
   * Creates an empty log.
   *
   * @param capacity how many distinct keys it remembers before falling back to a namespace clear
   */
  public RepairLog(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be at least 0 but was " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Remembers that a write of {@code redisKey} failed.
   *
   * @param redisKey the full Redis key
   * @param key the cache key
   */
  public void remember(byte[] redisKey, K key) {
    if (namespaceDirty) {
      return; // the pending namespace clear covers this key
    }
    RedisKey k = new RedisKey(redisKey);
    if (pending.size() >= capacity && !pending.containsKey(k)) {
      // The size check races with other rememberers, so the log may exceed capacity by the number
      // of threads; what matters is that it cannot grow without bound during a long outage.
      overflows.increment();
      namespaceDirty = true;
      return;
    }
    pending.put(k, new Pending<>(redisKey, key, stamps.incrementAndGet()));
  }

  /**
   * Forgets {@code redisKey} after a later write of it succeeded (that write replaced whatever the
   * failed one left behind).
   *
   * @param redisKey the full Redis key
   */
  public void forget(byte[] redisKey) {
    if (!pending.isEmpty()) {
      pending.remove(new RedisKey(redisKey));
    }
  }

  /** Records that clearing the namespace failed: it must be cleared once Redis is back. */
  public void markNamespaceDirty() {
    namespaceDirty = true;
  }

  /**
   * Returns whether a repair has work to do.
   *
   * @return true if a key is remembered or the namespace is dirty
   */
  public boolean needsRepair() {
    return namespaceDirty || !pending.isEmpty();
  }

  /**
   * Returns whether the namespace must be cleared (the log overflowed or a clear failed).
   *
   * @return true if dirty
   */
  public boolean namespaceDirty() {
    return namespaceDirty;
  }

  /**
   * Called before a namespace clear starts. Every key remembered so far is forgotten, because the
   * clear covers it; if the clear fails, {@link #markNamespaceDirty()} makes the next clear cover
   * it. Failures from now on are recorded again: the clear may already have scanned past their
   * keys.
   */
  public void beginNamespaceClear() {
    namespaceDirty = false;
    long upTo = stamps.get();
    pending.values().removeIf(p -> p.stamp() <= upTo);
  }

  /**
   * Returns up to {@code max} remembered keys, in no particular order.
   *
   * @param max the most to return
   * @return a snapshot
   */
  public List<Pending<K>> batch(int max) {
    List<Pending<K>> batch = new ArrayList<>(Math.min(max, pending.size()));
    for (Pending<K> p : pending.values()) {
      if (batch.size() == max) {
        break;
      }
      batch.add(p);
    }
    return batch;
  }

  /**
   * Forgets {@code p} after its key was deleted, unless the key failed again since.
   *
   * @param p an entry from {@link #batch(int)}
   * @return true if it was forgotten
   */
  public boolean repaired(Pending<K> p) {
    return pending.remove(new RedisKey(p.redisKey()), p);
  }

  /**
   * Returns the number of remembered keys.
   *
   * @return the count
   */
  public int size() {
    return pending.size();
  }

  /**
   * Returns how many failures found the log full (each made the namespace dirty).
   *
   * @return the count
   */
  public long overflows() {
    return overflows.sum();
  }

  /** Bytes compared by content, as a map key. */
  private record RedisKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof RedisKey other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "RedisKey[" + bytes.length + " bytes]";
    }
  }
}
