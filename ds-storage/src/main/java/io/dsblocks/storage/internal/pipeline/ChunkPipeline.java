package io.dsblocks.storage.internal.pipeline;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.crypto.ChunkHasher;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The per-chunk transformation between plaintext and what goes into a pack: id = keyed hash of the
 * plaintext; stored form = seal(compress(plaintext)) with the id as associated data.
 *
 * <p>Order matters: compress before sealing (ciphertext does not compress), and hash the plaintext
 * (so equal content gets one id whatever the compression or key). Binding the id as associated data
 * means a stored chunk cannot be passed off as another id's content; {@link #open} also re-hashes
 * the result, which catches what authentication cannot (a wrong dictionary, a compressor bug, or a
 * sealer from another repository's key ring holding the same data key).
 *
 * <p>The caller decides whether to seal at all: a duplicate chunk needs only {@link #id}, which is
 * why id and seal are separate steps.
 *
 * <p>Thread-safe if its parts are (those in this module are).
 */
public final class ChunkPipeline {

  private final ChunkHasher hasher;
  private final ChunkCompressor compressor;
  private final ChunkSealer sealer;

  /**
   * Creates a pipeline.
   *
   * @param hasher computes chunk ids
   * @param compressor compresses before sealing
   * @param sealer encrypts and authenticates
   */
  public ChunkPipeline(ChunkHasher hasher, ChunkCompressor compressor, ChunkSealer sealer) {
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.compressor = Objects.requireNonNull(compressor, "compressor");
    this.sealer = Objects.requireNonNull(sealer, "sealer");
  }

  /**
   * Computes a chunk's id.
   *
   * @param data buffer
   * @param offset start of the chunk
   * @param length chunk length
   * @return the {@value ChunkHasher#ID_LENGTH}-byte id
   */
  public byte[] id(byte[] data, int offset, int length) {
    return hasher.id(data, offset, length);
  }

  /**
   * Compresses then seals a chunk, binding its id.
   *
   * @param id the chunk's id from {@link #id}
   * @param data buffer
   * @param offset start of the chunk
   * @param length chunk length
   * @return the stored form
   */
  public byte[] seal(byte[] id, byte[] data, int offset, int length) {
    Objects.requireNonNull(id, "id");
    byte[] compressed = compressor.compress(data, offset, length);
    return sealer.seal(compressed, 0, compressed.length, id);
  }

  /**
   * Opens, decompresses and verifies a stored chunk.
   *
   * @param id the id the chunk is stored under
   * @param sealed buffer holding the stored form
   * @param offset start
   * @param length length
   * @return the plaintext, whose hash is {@code id}
   * @throws StorageCorruptionException if authentication, decompression or the hash check fails
   */
  public byte[] open(byte[] id, byte[] sealed, int offset, int length) {
    Objects.requireNonNull(id, "id");
    byte[] compressed = sealer.open(sealed, offset, length, id);
    byte[] plain = compressor.decompress(compressed, 0, compressed.length);
    byte[] actual = hasher.id(plain, 0, plain.length);
    if (!MessageDigest.isEqual(actual, id)) {
      throw new StorageCorruptionException(
          "chunk "
              + HexFormat.of().formatHex(id)
              + " decoded to content whose id is "
              + HexFormat.of().formatHex(actual)
              + ": it was not stored from that content");
    }
    return plain;
  }

  @Override
  public String toString() {
    return "ChunkPipeline[" + hasher + ", " + compressor + ", " + sealer + "]";
  }
}
