package io.dsblocks.storage.internal.compress;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a zstd dictionary by id when decompressing a chunk that was compressed with one. A
 * repository that retrains its dictionary keeps the old ones reachable here, so chunks compressed
 * before the change still decode.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface DictionaryResolver {

  /**
   * Returns the dictionary with this id.
   *
   * @param dictionaryId the id recorded in the chunk, as computed by {@link
   *     Compressors#dictionaryId(byte[])}
   * @return the dictionary bytes (not modified by the caller), or {@code null} if unknown
   */
  byte[] dictionary(int dictionaryId);

  /**
   * Resolves nothing.
   *
   * @return a resolver that always returns {@code null}
   */
  static DictionaryResolver none() {
    return id -> null;
  }

  /**
   * Resolves from a fixed list.
   *
   * @param dictionaries the dictionaries (copied)
   * @return an immutable resolver keyed by {@link Compressors#dictionaryId(byte[])}
   */
  static DictionaryResolver of(List<byte[]> dictionaries) {
    Map<Integer, byte[]> byId = new HashMap<>();
    for (byte[] d : dictionaries) {
      byId.put(Compressors.dictionaryId(d), d.clone());
    }
    return byId::get;
  }
}
