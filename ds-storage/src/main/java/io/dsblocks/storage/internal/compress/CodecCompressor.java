package io.dsblocks.storage.internal.compress;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The one {@link ChunkCompressor} implementation: compresses with one configured codec and decodes
 * every codec. See {@link Compressors} for the encoded format.
 *
 * <p>Immutable and thread-safe.
 */
final class CodecCompressor implements ChunkCompressor {

  static final int RAW = 0;
  static final int LZ4 = 1;
  static final int ZSTD = 2;
  static final int ZSTD_DICTIONARY = 3;
  // 4 is the delta form (ChunkPipeline.DELTA), handled before a compressor sees the bytes.
  static final int LZ4_DICTIONARY = 5;

  /** Largest raw length accepted from a header; also keeps {@code new byte[raw]} legal. */
  static final int MAX_RAW_LENGTH = Integer.MAX_VALUE - 64;

  /** LZ4's format cannot expand a byte more than ~255 times (a 1-byte token per 255 run bytes). */
  private static final long LZ4_MAX_RATIO = 255;

  /** Per-thread output buffers up to this size are reused; larger ones are allocated per call. */
  private static final int SCRATCH_LIMIT = 4 << 20;

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

  private final int codec;
  private final String name;
  private final ZstdCodec zstd;
  private final byte[] dictionary;
  private final int dictionaryId;
  private final DictionaryResolver resolver;
  private final Lz4DictCodec lz4Dictionary;

  CodecCompressor(
      int codec,
      String name,
      ZstdCodec zstd,
      byte[] dictionary,
      int dictionaryId,
      DictionaryResolver resolver) {
    this(
        codec,
        name,
        zstd,
        dictionary,
        dictionaryId,
        resolver,
        codec == LZ4_DICTIONARY ? new Lz4DictCodec(dictionary) : null);
  }

  private CodecCompressor(
      int codec,
      String name,
      ZstdCodec zstd,
      byte[] dictionary,
      int dictionaryId,
      DictionaryResolver resolver,
      Lz4DictCodec lz4Dictionary) {
    this.lz4Dictionary = lz4Dictionary;
    this.codec = codec;
    this.name = name;
    this.zstd = zstd;
    this.dictionary = dictionary;
    this.dictionaryId = dictionaryId;
    this.resolver = resolver;
  }

  CodecCompressor withResolver(DictionaryResolver newResolver) {
    return new CodecCompressor(
        codec, name, zstd, dictionary, dictionaryId, newResolver, lz4Dictionary);
  }

  @Override
  public byte[] compress(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    if (length > MAX_RAW_LENGTH) {
      throw new IllegalArgumentException(
          "length must be at most " + MAX_RAW_LENGTH + " but was " + length);
    }
    if (codec == RAW || length == 0) {
      return raw(data, offset, length);
    }
    boolean withDictionary = codec == ZSTD_DICTIONARY || codec == LZ4_DICTIONARY;
    int header = 1 + varintLength(length) + (withDictionary ? 4 : 0);
    int bound =
        switch (codec) {
          case LZ4 -> Lz4Codec.maxCompressedLength(length);
          case LZ4_DICTIONARY -> Lz4DictCodec.maxCompressedLength(length);
          default -> ZstdCodec.maxCompressedLength(length);
        };
    byte[] out = scratch(header + bound);
    int compressed =
        switch (codec) {
          case LZ4 -> Lz4Codec.compress(data, offset, length, out, header, bound);
          case LZ4_DICTIONARY -> lz4Dictionary.compress(data, offset, length, out, header, bound);
          default -> zstd.compress(data, offset, length, out, header, bound);
        };
    int total = header + compressed;
    int rawTotal = 1 + varintLength(length) + length;
    // Decompression costs CPU on every read; demand a real saving (about 1/32) to pay for it.
    if (total > rawTotal - Math.max(1, length >>> 5)) {
      return raw(data, offset, length);
    }
    out[0] = (byte) codec;
    int pos = writeVarint(out, 1, length);
    if (withDictionary) {
      writeInt(out, pos, dictionaryId);
    }
    return Arrays.copyOf(out, total);
  }

  private static byte[] scratch(int size) {
    if (size > SCRATCH_LIMIT) {
      return new byte[size];
    }
    byte[] s = SCRATCH.get();
    if (s.length < size) {
      s = new byte[Math.max(size, Math.min(SCRATCH_LIMIT, s.length * 2))];
      SCRATCH.set(s);
    }
    return s;
  }

  private static byte[] raw(byte[] data, int offset, int length) {
    byte[] out = new byte[1 + varintLength(length) + length];
    out[0] = RAW;
    int pos = writeVarint(out, 1, length);
    System.arraycopy(data, offset, out, pos, length);
    return out;
  }

  @Override
  public byte[] decompress(byte[] encoded, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, encoded.length);
    if (length < 2) {
      throw corrupt("it is " + length + " bytes, shorter than any header");
    }
    int kind = encoded[offset] & 0xff;
    int end = offset + length;
    // Unsigned LEB128, at most 5 bytes, value at most MAX_RAW_LENGTH.
    long raw = 0;
    int pos = offset + 1;
    for (int shift = 0; ; shift += 7) {
      if (pos >= end || shift > 28) {
        throw corrupt("its length field is truncated or longer than 5 bytes");
      }
      int b = encoded[pos++];
      raw |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
    }
    if (raw > MAX_RAW_LENGTH) {
      throw corrupt("its length field says " + raw + " bytes, more than any chunk can be");
    }
    int rawLength = (int) raw;
    int payload = end - pos;
    switch (kind) {
      case RAW:
        if (payload != rawLength) {
          throw corrupt(
              "it is stored raw with " + payload + " payload bytes, the header says " + rawLength);
        }
        return Arrays.copyOfRange(encoded, pos, end);
      case LZ4:
        if (rawLength > payload * LZ4_MAX_RATIO + 16) {
          throw corrupt(
              "its header claims "
                  + rawLength
                  + " bytes from "
                  + payload
                  + " LZ4 bytes, beyond LZ4's maximum ratio");
        }
        try {
          return Lz4Codec.decompress(encoded, pos, payload, rawLength);
        } catch (IllegalStateException e) {
          throw corrupt(e.getMessage(), e);
        }
      case LZ4_DICTIONARY:
        {
          if (payload < 4) {
            throw corrupt("its dictionary id is truncated");
          }
          if (rawLength > (payload - 4) * LZ4_MAX_RATIO + 16) {
            throw corrupt(
                "its header claims "
                    + rawLength
                    + " bytes from "
                    + (payload - 4)
                    + " LZ4 bytes, beyond LZ4's maximum ratio");
          }
          int id = readInt(encoded, pos);
          try {
            if (id == dictionaryId && lz4Dictionary != null) {
              return lz4Dictionary.decompress(encoded, pos + 4, payload - 4, rawLength);
            }
            return Lz4DictCodec.decode(
                dictionary(id, "LZ4"), encoded, pos + 4, payload - 4, rawLength);
          } catch (IllegalStateException e) {
            throw corrupt(e.getMessage(), e);
          }
        }
      case ZSTD:
        requireZstdToRead();
        return zstdDecode(encoded, pos, payload, rawLength, null, 0);
      case ZSTD_DICTIONARY:
        requireZstdToRead();
        if (payload < 4) {
          throw corrupt("its dictionary id is truncated");
        }
        int id = readInt(encoded, pos);
        return zstdDecode(encoded, pos + 4, payload - 4, rawLength, dictionary(id, "zstd"), id);
      default:
        throw corrupt(
            "its codec byte is "
                + kind
                + ", not one of 0 (raw), 1, 5 (lz4), 2, 3 (zstd) (4, a delta, is not read here)");
    }
  }

  private byte[] dictionary(int id, String codecName) {
    byte[] dict = id == dictionaryId && dictionary != null ? dictionary : resolver.dictionary(id);
    if (dict == null) {
      throw new StorageException(
          String.format(
              "chunk was compressed with %s dictionary %08x, which this compressor does not"
                  + " know: give it through Compressors.withDictionaries(...)",
              codecName, id));
    }
    return dict;
  }

  private static byte[] zstdDecode(
      byte[] src, int off, int len, int rawLength, byte[] dict, int dictId) {
    try {
      return ZstdCodec.decompress(src, off, len, rawLength, dict, dictId);
    } catch (IllegalStateException e) {
      throw corrupt(e.getMessage(), e);
    }
  }

  private static void requireZstdToRead() {
    String problem = Compressors.zstdProblem();
    if (problem != null) {
      throw new StorageException(
          "cannot read a zstd-compressed chunk: " + problem + ". " + Compressors.ZSTD_ADVICE);
    }
  }

  private static StorageCorruptionException corrupt(String why) {
    return new StorageCorruptionException("compressed chunk is corrupt: " + why);
  }

  private static StorageCorruptionException corrupt(String why, Throwable cause) {
    return new StorageCorruptionException("compressed chunk is corrupt: " + why, cause);
  }

  static int varintLength(int value) {
    int n = 1;
    while ((value >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  private static int writeVarint(byte[] out, int pos, int value) {
    while ((value & ~0x7f) != 0) {
      out[pos++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
    return pos;
  }

  private static void writeInt(byte[] out, int pos, int v) {
    out[pos] = (byte) (v >>> 24);
    out[pos + 1] = (byte) (v >>> 16);
    out[pos + 2] = (byte) (v >>> 8);
    out[pos + 3] = (byte) v;
  }

  private static int readInt(byte[] in, int pos) {
    return (in[pos] & 0xff) << 24
        | (in[pos + 1] & 0xff) << 16
        | (in[pos + 2] & 0xff) << 8
        | (in[pos + 3] & 0xff);
  }

  @Override
  public String toString() {
    return name;
  }
}
