package io.dsblocks.storage.internal.crypto;

import java.util.Objects;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;

/**
 * Chunk ids as keyed BLAKE3 (Bouncy Castle). An alternative to {@link HmacSha256Hasher} for
 * platforms without SHA-256 instructions; on x86-64 with SHA-NI the JDK's HMAC-SHA-256 is about
 * twice as fast as this pure-Java BLAKE3, so HMAC-SHA-256 is the default.
 *
 * <p>Thread-safe: each thread keeps its own keyed digest and resets it to the keyed state after
 * every id, so the key schedule is not repeated per chunk.
 */
public final class Blake3Hasher implements ChunkHasher {

  private final ThreadLocal<Blake3Digest> digests;

  /**
   * Creates a hasher.
   *
   * @param key32 the repository's 32-byte hash key (copied)
   * @throws IllegalArgumentException if the key is not 32 bytes
   * @throws NullPointerException if {@code key32} is null
   */
  public Blake3Hasher(byte[] key32) {
    Objects.requireNonNull(key32, "key32");
    if (key32.length != 32) {
      throw new IllegalArgumentException(
          "key32 must be 32 bytes but was " + key32.length + " bytes");
    }
    byte[] key = key32.clone();
    this.digests =
        ThreadLocal.withInitial(
            () -> {
              Blake3Digest digest = new Blake3Digest(ID_LENGTH * 8);
              // init copies the key; Blake3Parameters.key would otherwise share our array.
              digest.init(Blake3Parameters.key(key.clone()));
              return digest;
            });
  }

  @Override
  public byte[] id(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    Blake3Digest digest = digests.get();
    digest.update(data, offset, length);
    byte[] out = new byte[ID_LENGTH];
    digest.doFinal(out, 0); // resets to the keyed initial state
    return out;
  }

  @Override
  public String toString() {
    return "Blake3Hasher";
  }
}
