package io.dsblocks.sharding.internal;

import io.dsblocks.sharding.KeyHasher;
import java.util.Objects;
import net.openhft.hashing.LongHashFunction;

/** {@link KeyHasher} backed by zero-allocation-hashing's XXH3-64. Immutable, thread-safe. */
public final class Xxh3KeyHasher implements KeyHasher {
  /** Seed 0. */
  public static final Xxh3KeyHasher DEFAULT = new Xxh3KeyHasher(0);

  private final LongHashFunction function;
  private final long seed;

  /**
   * Creates a hasher.
   *
   * @param seed the XXH3 seed
   */
  public Xxh3KeyHasher(long seed) {
    this.seed = seed;
    this.function = seed == 0 ? LongHashFunction.xx3() : LongHashFunction.xx3(seed);
  }

  @Override
  public long hashLong(long key) {
    return function.hashLong(key);
  }

  @Override
  public long hashBytes(byte[] key) {
    Objects.requireNonNull(key, "key must not be null");
    return function.hashBytes(key);
  }

  @Override
  public long hashChars(CharSequence key) {
    Objects.requireNonNull(key, "key must not be null");
    if (key instanceof String) {
      return function.hashChars((String) key);
    }
    if (key instanceof StringBuilder) {
      return function.hashChars((StringBuilder) key);
    }
    // Other sequences have no zero-copy path in the hashing library; toString() keeps the result
    // identical to the String path, at the cost of one copy.
    return function.hashChars(key.toString());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Xxh3KeyHasher && ((Xxh3KeyHasher) o).seed == seed;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seed);
  }

  @Override
  public String toString() {
    return "xxh3(seed=" + seed + ")";
  }
}
