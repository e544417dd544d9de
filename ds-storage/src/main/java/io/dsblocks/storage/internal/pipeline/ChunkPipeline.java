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
  private final BaseResolver bases;

  /** Codec byte of a delta form (see {@link #sealDelta}); the compressor's codecs are 0-3. */
  public static final int DELTA = 4;

  /**
   * Set while a base is being read (by the writer through {@link #readAsBase}, or by a delta being
   * opened), so a base can never itself be a delta, and a base is authenticated but not re-hashed
   * (see {@link #open}).
   */
  private static final ThreadLocal<Boolean> RESOLVING_BASE = new ThreadLocal<>();

  /**
   * Reads the plaintext of a delta's base chunk.
   *
   * <p>Implementations are thread-safe.
   */
  @FunctionalInterface
  public interface BaseResolver {
    /**
     * Returns the base chunk's plaintext.
     *
     * @param id the base chunk id
     * @param rawLength its length
     * @return its verified plaintext
     * @throws StorageCorruptionException if it cannot be read
     */
    byte[] read(byte[] id, int rawLength);
  }

  /**
   * Creates a pipeline.
   *
   * @param hasher computes chunk ids
   * @param compressor compresses before sealing
   * @param sealer encrypts and authenticates
   */
  public ChunkPipeline(ChunkHasher hasher, ChunkCompressor compressor, ChunkSealer sealer) {
    this(hasher, compressor, sealer, null);
  }

  /**
   * Creates a pipeline that can also read delta chunks.
   *
   * @param hasher computes chunk ids
   * @param compressor compresses before sealing
   * @param sealer encrypts and authenticates
   * @param bases reads the base of a delta chunk, or {@code null} if deltas cannot occur
   */
  public ChunkPipeline(
      ChunkHasher hasher, ChunkCompressor compressor, ChunkSealer sealer, BaseResolver bases) {
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.compressor = Objects.requireNonNull(compressor, "compressor");
    this.sealer = Objects.requireNonNull(sealer, "sealer");
    this.bases = bases;
  }

  /**
   * Returns the compressor.
   *
   * @return the compressor
   */
  public ChunkCompressor compressor() {
    return compressor;
  }

  /**
   * Builds and seals the delta form of a chunk: {@code u8 4 | varint raw length | 32 B base id |
   * varint base raw length | compressed delta program}, where the program (see {@link
   * io.dsblocks.storage.internal.delta.DeltaCodec}) is compressed by this pipeline's compressor.
   * The base id is inside the sealed bytes, so it is encrypted and authenticated with the chunk.
   *
   * @param id the chunk's id
   * @param rawLength the chunk's length
   * @param baseId the base chunk's id (never itself a delta)
   * @param baseLength the base chunk's length
   * @param compressedProgram {@code compressor().compress(program)}
   * @return the stored form
   */
  public byte[] sealDelta(
      byte[] id, int rawLength, byte[] baseId, int baseLength, byte[] compressedProgram) {
    byte[] form = deltaForm(rawLength, baseId, baseLength, compressedProgram);
    return sealer.seal(form, 0, form.length, id);
  }

  /**
   * The unsealed delta form {@link #sealDelta} seals (its length decides whether a delta pays).
   *
   * @param rawLength the chunk's length
   * @param baseId the base chunk's id
   * @param baseLength the base chunk's length
   * @param compressedProgram the compressed program
   * @return the form
   */
  public static byte[] deltaForm(
      int rawLength, byte[] baseId, int baseLength, byte[] compressedProgram) {
    byte[] form = new byte[1 + 5 + 32 + 5 + compressedProgram.length];
    form[0] = DELTA;
    int pos = writeVarint(form, 1, rawLength);
    System.arraycopy(baseId, 0, form, pos, 32);
    pos = writeVarint(form, pos + 32, baseLength);
    System.arraycopy(compressedProgram, 0, form, pos, compressedProgram.length);
    return java.util.Arrays.copyOf(form, pos + compressedProgram.length);
  }

  /**
   * Seals an already compressed form.
   *
   * @param id the chunk id
   * @param compressed the compressor's output for the chunk
   * @return the stored form
   */
  public byte[] sealCompressed(byte[] id, byte[] compressed) {
    return sealer.seal(compressed, 0, compressed.length, id);
  }

  private static int writeVarint(byte[] out, int pos, int value) {
    while ((value & ~0x7f) != 0) {
      out[pos++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
    return pos;
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
   * <p>The plaintext is re-hashed and compared with {@code id}, except for a base: the one a delta
   * chunk being opened reads, and the one the writer reads to encode a delta against ({@link
   * #readAsBase}). A base is authenticated like every record, and the delta's own result is
   * re-hashed at every read, which it can only pass with the right base bytes. A delta is encoded
   * against the bytes its base record holds and decoded against the same record (records never
   * change, and garbage collection keeps a base while a delta needs it), so a base whose bytes were
   * wrong would still give the right result, and the base object itself fails its own read.
   * (Restoring the 25 tree of the backup benchmark read 9,521 bases, about half as many bytes again
   * as it returned; its ingest read about 9,200 bases to encode against.)
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
    byte[] plain =
        compressed.length > 0 && compressed[0] == DELTA
            ? openDelta(compressed)
            : compressor.decompress(compressed, 0, compressed.length);
    if (RESOLVING_BASE.get() != null) {
      return plain; // a base: the result of each delta against it is checked instead
    }
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

  private byte[] openDelta(byte[] form) {
    if (bases == null) {
      throw new StorageCorruptionException("a delta chunk cannot be read here (no base resolver)");
    }
    if (RESOLVING_BASE.get() != null) {
      throw new StorageCorruptionException(
          "a delta chunk's base is itself a delta; deltas are one level deep");
    }
    int[] pos = {1};
    int rawLength = readVarint(form, pos);
    if (form.length - pos[0] < 33) {
      throw new StorageCorruptionException("delta chunk is truncated before its base id");
    }
    byte[] baseId = java.util.Arrays.copyOfRange(form, pos[0], pos[0] + 32);
    pos[0] += 32;
    int baseLength = readVarint(form, pos);
    byte[] base;
    try {
      base = resolvingBase(() -> bases.read(baseId, baseLength));
    } catch (StorageCorruptionException e) {
      throw new StorageCorruptionException(
          "the base "
              + HexFormat.of().formatHex(baseId, 0, 8)
              + " of a delta chunk: "
              + e.getMessage(),
          e);
    }
    byte[] program = compressor.decompress(form, pos[0], form.length - pos[0]);
    try {
      return io.dsblocks.storage.internal.delta.DeltaCodec.decode(base, program, rawLength);
    } catch (IllegalStateException e) {
      throw new StorageCorruptionException("delta chunk is corrupt: " + e.getMessage(), e);
    }
  }

  /**
   * Runs a chunk read in which a delta chunk is refused (throws {@link StorageCorruptionException})
   * and the plaintext is authenticated but not re-hashed (see {@link #open}): the read of a chunk
   * the writer wants to use as a delta's base.
   *
   * @param read the read
   * @return its result
   */
  public static byte[] readAsBase(java.util.function.Supplier<byte[]> read) {
    return resolvingBase(read);
  }

  /** Runs a base read with {@link #RESOLVING_BASE} set, restoring what was there. */
  private static byte[] resolvingBase(java.util.function.Supplier<byte[]> read) {
    Boolean outer = RESOLVING_BASE.get();
    RESOLVING_BASE.set(Boolean.TRUE);
    try {
      return read.get();
    } finally {
      if (outer == null) {
        RESOLVING_BASE.remove();
      }
    }
  }

  private static int readVarint(byte[] in, int[] pos) {
    int v = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (pos[0] >= in.length) {
        throw new StorageCorruptionException("delta chunk header is truncated");
      }
      int b = in[pos[0]++];
      v |= (b & 0x7f) << shift;
      if (b >= 0) {
        if (v < 0) {
          throw new StorageCorruptionException("delta chunk header has a negative length");
        }
        return v;
      }
    }
    throw new StorageCorruptionException("delta chunk header has a length over 5 bytes");
  }

  @Override
  public String toString() {
    return "ChunkPipeline[" + hasher + ", " + compressor + ", " + sealer + "]";
  }
}
