package io.dsblocks.cache.internal;

/**
 * What the cache stores per key: the user's value plus its version, and (in {@link Timed}) the
 * expiry deadline and refresh time. Immutable, so readers need no lock: a write replaces the whole
 * entry. A cache without expiry or refresh stores the plain 24-byte form; the timed form costs 16
 * bytes more, which matters because every hit reads the entry (footprint is hit latency once the
 * cache outgrows the CPU caches).
 *
 * @param <V> value type
 */
public class Entry<V> {
  /** Deadline meaning "never". */
  static final long NEVER = Long.MAX_VALUE;

  /** The value, or null for a negatively cached key. */
  final V value;

  /** Unique per cache, growing with every write: the compare-and-set token. */
  final long version;

  Entry(V value, long version) {
    this.value = value;
    this.version = version;
  }

  /** Creates the smallest entry that carries the given times. */
  static <V> Entry<V> of(V value, long version, long deadline, long refreshAt) {
    return deadline == NEVER && refreshAt == NEVER
        ? new Entry<>(value, version)
        : new Timed<>(value, version, deadline, refreshAt);
  }

  /** Ticker time after which the entry is dead, or {@link #NEVER}. */
  long deadline() {
    return NEVER;
  }

  /** Ticker time after which a read triggers a background reload, or {@link #NEVER}. */
  long refreshAt() {
    return NEVER;
  }

  /** Adds without overflowing past {@link #NEVER}, since durations up to 100 years are allowed. */
  static long saturatedAdd(long now, long nanos) {
    long sum = now + nanos;
    return ((now ^ sum) & (nanos ^ sum)) < 0 ? NEVER : sum;
  }

  /** An entry with an expiry deadline and/or a refresh time. */
  static final class Timed<V> extends Entry<V> {
    private final long deadline;
    private final long refreshAt;

    Timed(V value, long version, long deadline, long refreshAt) {
      super(value, version);
      this.deadline = deadline;
      this.refreshAt = refreshAt;
    }

    @Override
    long deadline() {
      return deadline;
    }

    @Override
    long refreshAt() {
      return refreshAt;
    }
  }
}
