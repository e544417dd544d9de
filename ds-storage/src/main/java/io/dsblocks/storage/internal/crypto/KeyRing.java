package io.dsblocks.storage.internal.crypto;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The data keys a {@link AesGcmSealer} may use: every key the repository ever had, by id, and which
 * one new data is sealed under. {@link RepositoryKeys} is the live implementation (rotation changes
 * the current key without replacing the sealer); {@link #of} builds a fixed one for tests and
 * benchmarks.
 *
 * <p>Implementations are thread-safe.
 */
public interface KeyRing {

  /** Length of every data key in bytes (AES-256). */
  int KEY_LENGTH = 32;

  /**
   * Returns the id of the key new data is sealed under.
   *
   * @return the current key id
   */
  int currentKeyId();

  /**
   * Returns the data key with this id. Callers must not modify the returned array.
   *
   * @param keyId a key id, typically read from a sealed blob
   * @return the 32-byte key, or {@code null} if this ring has no key with that id
   */
  byte[] dataKey(int keyId);

  /**
   * A fixed ring.
   *
   * @param currentKeyId the id of the key to seal under; must be in {@code keys}
   * @param keys every key by id, each 32 bytes (copied)
   * @return an immutable ring
   * @throws IllegalArgumentException if a key is not 32 bytes or the current id is missing
   */
  static KeyRing of(int currentKeyId, Map<Integer, byte[]> keys) {
    Map<Integer, byte[]> copy = new HashMap<>();
    keys.forEach(
        (id, key) -> {
          Objects.requireNonNull(key, "key");
          if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException(
                "data key " + id + " must be 32 bytes but was " + key.length + " bytes");
          }
          copy.put(id, key.clone());
        });
    if (!copy.containsKey(currentKeyId)) {
      throw new IllegalArgumentException(
          "currentKeyId " + currentKeyId + " is not among the keys " + copy.keySet());
    }
    return new KeyRing() {
      @Override
      public int currentKeyId() {
        return currentKeyId;
      }

      @Override
      public byte[] dataKey(int keyId) {
        return copy.get(keyId);
      }
    };
  }

  /**
   * A ring with one key.
   *
   * @param keyId its id
   * @param key32 the 32-byte key (copied)
   * @return an immutable ring
   */
  static KeyRing of(int keyId, byte[] key32) {
    return of(keyId, Map.of(keyId, key32));
  }
}
