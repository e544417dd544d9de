package io.dsblocks.sharding;

import io.dsblocks.sharding.internal.Xxh3KeyHasher;
import java.util.Objects;

/**
 * Turns keys into well-distributed 64-bit hashes; routers only ever see these hashes.
 *
 * <p>The default, {@link #xxh3()}, is XXH3-64 (verified against the published xxHash test vectors)
 * over the key's bytes. Every process routing the same keys must use the same hasher and seed.
 * Implementations must be stateless or immutable, thread-safe and allocation-free for primitive
 * keys.
 */
public interface KeyHasher {

  /**
   * Hashes a {@code long} key (its 8 bytes, little-endian).
   *
   * @param key the key
   * @return the 64-bit hash
   */
  long hashLong(long key);

  /**
   * Hashes a byte-array key.
   *
   * @param key the key, not null
   * @return the 64-bit hash
   * @throws NullPointerException if {@code key} is null
   */
  long hashBytes(byte[] key);

  /**
   * Hashes a character-sequence key (its UTF-16 code units, little-endian).
   *
   * @param key the key, not null
   * @return the 64-bit hash
   * @throws NullPointerException if {@code key} is null
   */
  long hashChars(CharSequence key);

  /**
   * Hashes any key: {@code byte[]}, {@link CharSequence}, {@link Long}, {@link Integer}, {@link
   * Short} and {@link Byte} go to the matching method above (so {@code route("a")} and {@code
   * route((Object) "a")} agree); any other object is hashed through its {@link Object#hashCode()},
   * which is only as good as that method (only 32 bits of entropy): override this method for such
   * keys.
   *
   * @param key the key, not null
   * @return the 64-bit hash
   * @throws NullPointerException if {@code key} is null
   */
  default long hashObject(Object key) {
    Objects.requireNonNull(key, "key must not be null");
    if (key instanceof byte[]) {
      return hashBytes((byte[]) key);
    }
    if (key instanceof CharSequence) {
      return hashChars((CharSequence) key);
    }
    if (key instanceof Long
        || key instanceof Integer
        || key instanceof Short
        || key instanceof Byte) {
      return hashLong(((Number) key).longValue());
    }
    return hashLong(key.hashCode());
  }

  /**
   * XXH3-64 with seed 0.
   *
   * @return the shared default hasher
   */
  static KeyHasher xxh3() {
    return Xxh3KeyHasher.DEFAULT;
  }

  /**
   * XXH3-64 with a seed; different seeds give independent placements.
   *
   * @param seed the seed
   * @return a hasher
   */
  static KeyHasher xxh3(long seed) {
    return seed == 0 ? Xxh3KeyHasher.DEFAULT : new Xxh3KeyHasher(seed);
  }
}
