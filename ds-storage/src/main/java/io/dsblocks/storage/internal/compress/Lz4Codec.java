package io.dsblocks.storage.internal.compress;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 block format through lz4-java. The compressor and the safe decompressor are stateless and
 * thread-safe, so one pair serves every thread. The safe decompressor is used (never the "fast"
 * one) because it checks every offset against the input, so corrupt input raises an exception
 * instead of reading out of bounds.
 */
final class Lz4Codec {

  private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
  private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
  private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

  private Lz4Codec() {}

  static int maxCompressedLength(int length) {
    return COMPRESSOR.maxCompressedLength(length);
  }

  static int compress(byte[] src, int off, int len, byte[] dst, int dstOff, int dstLen) {
    return COMPRESSOR.compress(src, off, len, dst, dstOff, dstLen);
  }

  /** Decodes exactly {@code rawLength} bytes or throws {@link IllegalStateException}. */
  static byte[] decompress(byte[] src, int off, int len, int rawLength) {
    byte[] out = new byte[rawLength];
    int n;
    try {
      n = DECOMPRESSOR.decompress(src, off, len, out, 0, rawLength);
    } catch (LZ4Exception e) {
      throw new IllegalStateException("malformed LZ4 block: " + e.getMessage(), e);
    }
    if (n != rawLength) {
      throw new IllegalStateException(
          "LZ4 block decoded to " + n + " bytes, the header says " + rawLength);
    }
    return out;
  }
}
