package io.dsblocks.storage.internal;

/**
 * Fixed-width integer encoding for on-disk records, and hex for messages. Big-endian unless the
 * method says otherwise: big-endian keys sort numerically in the index's byte order.
 */
public final class Bytes {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Bytes() {}

  /**
   * Writes a big-endian long.
   *
   * @param b buffer
   * @param off position
   * @param v value
   */
  public static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  /**
   * Reads a big-endian long.
   *
   * @param b buffer
   * @param off position
   * @return the value
   */
  public static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  /**
   * Writes a big-endian int.
   *
   * @param b buffer
   * @param off position
   * @param v value
   */
  public static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  /**
   * Reads a big-endian int.
   *
   * @param b buffer
   * @param off position
   * @return the value
   */
  public static int getInt(byte[] b, int off) {
    return ((b[off] & 0xff) << 24)
        | ((b[off + 1] & 0xff) << 16)
        | ((b[off + 2] & 0xff) << 8)
        | (b[off + 3] & 0xff);
  }

  /**
   * Encodes a long little-endian, the encoding RocksDB's {@code uint64add} merge operator expects.
   *
   * @param v value
   * @return 8 bytes
   */
  public static byte[] littleEndian(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  /**
   * Decodes a little-endian long.
   *
   * @param b 8 bytes, or null
   * @return the value, or 0 for null
   */
  public static long fromLittleEndian(byte[] b) {
    if (b == null) {
      return 0;
    }
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  /**
   * Returns a big-endian long as a new 8-byte array.
   *
   * @param v value
   * @return 8 bytes
   */
  public static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    putLong(b, 0, v);
    return b;
  }

  /**
   * Formats bytes as lowercase hex.
   *
   * @param b bytes
   * @return hex string
   */
  public static String hex(byte[] b) {
    char[] out = new char[b.length * 2];
    for (int i = 0; i < b.length; i++) {
      out[2 * i] = HEX[(b[i] >>> 4) & 0xf];
      out[2 * i + 1] = HEX[b[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Returns a short hex prefix of a chunk id, enough to find it in logs.
   *
   * @param id chunk id
   * @return the first 8 bytes in hex
   */
  public static String shortId(byte[] id) {
    byte[] head = new byte[Math.min(8, id.length)];
    System.arraycopy(id, 0, head, 0, head.length);
    return hex(head);
  }
}
