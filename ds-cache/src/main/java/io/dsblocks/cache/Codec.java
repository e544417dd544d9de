package io.dsblocks.cache;

import java.nio.charset.StandardCharsets;

/**
 * Turns keys or values into bytes and back, for the write-back journal, the tiers below L1 and the
 * invalidation bus.
 *
 * <p>Implementations must be thread-safe and {@code decode(encode(x))} must equal {@code x}.
 *
 * @param <T> the encoded type
 */
public interface Codec<T> {

  /**
   * Encodes a value.
   *
   * @param value the value, never null
   * @return its bytes
   */
  byte[] encode(T value);

  /**
   * Decodes bytes produced by {@link #encode}.
   *
   * @param bytes the bytes
   * @return the value
   */
  T decode(byte[] bytes);

  /**
   * Decodes {@code length} bytes of {@code bytes} from {@code offset}, which {@link #encode}
   * produced. The default copies the range and calls {@link #decode(byte[])}; override it when the
   * codec can read in place (a tier then skips one copy per read).
   *
   * @param bytes the buffer
   * @param offset where the encoded value starts
   * @param length its length
   * @return the value
   */
  default T decode(byte[] bytes, int offset, int length) {
    return decode(java.util.Arrays.copyOfRange(bytes, offset, offset + length));
  }

  /**
   * Returns a codec for strings as UTF-8.
   *
   * @return the codec
   */
  static Codec<String> utf8() {
    return Utf8Codec.INSTANCE;
  }

  /** UTF-8 strings; a singleton because it has no state. */
  enum Utf8Codec implements Codec<String> {
    /** The only instance. */
    INSTANCE;

    @Override
    public byte[] encode(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes, int offset, int length) {
      return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
  }
}
