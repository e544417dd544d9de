package io.dsblocks.cache.internal.redis;

import io.dsblocks.cache.Codec;
import io.dsblocks.cache.InvalidationMessage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The wire format of an {@link InvalidationMessage} on the Redis channel: compact binary, so no key
 * needs escaping and a key of any bytes (empty, {@code ':'}, newlines, NUL) round-trips.
 *
 * <pre>
 * byte     format version (1)
 * byte     flags: bit 0 set = a key follows (clear = "every key"; an empty key is still a key)
 * varint   length of the source id in bytes (unsigned LEB128)
 * bytes    source id, UTF-8
 * int64    sequence, big-endian
 * bytes    the key as encoded by the key codec: everything up to the end of the message
 * </pre>
 *
 * <p>Thread-safe.
 *
 * @param <K> key type
 */
public final class InvalidationCodec<K> {
  /** The only format version so far; a receiver rejects any other as malformed. */
  public static final byte VERSION = 1;

  private static final byte HAS_KEY = 1;
  private static final int MAX_SOURCE_BYTES = 1 << 16;

  private final Codec<K> keyCodec;

  /** A node publishes under one id: remembering its bytes saves re-encoding it per message. */
  private volatile SourceBytes lastSource = new SourceBytes("", new byte[0]);

  private record SourceBytes(String source, byte[] bytes) {}

  /**
   * Creates a codec.
   *
   * @param keyCodec encodes the keys
   */
  public InvalidationCodec(Codec<K> keyCodec) {
    this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
  }

  /**
   * Encodes a message.
   *
   * @param message the message
   * @return its bytes
   * @throws IllegalArgumentException if the source id is not valid Unicode (a lone surrogate) or
   *     longer than 65536 UTF-8 bytes
   */
  public byte[] encode(InvalidationMessage<K> message) {
    byte[] source = sourceBytes(message.source());
    byte[] key = null;
    if (message.key() != null) {
      key = Objects.requireNonNull(keyCodec.encode(message.key()), "keyCodec.encode returned null");
    }
    int length =
        2 + varintSize(source.length) + source.length + Long.BYTES + (key == null ? 0 : key.length);
    ByteBuffer buf = ByteBuffer.allocate(length);
    buf.put(VERSION).put(key == null ? 0 : HAS_KEY);
    putVarint(buf, source.length);
    buf.put(source).putLong(message.sequence());
    if (key != null) {
      buf.put(key);
    }
    return buf.array();
  }

  /**
   * Decodes bytes produced by {@link #encode}.
   *
   * @param bytes the bytes
   * @return the message
   * @throws IllegalArgumentException if the bytes are not a message of this format (or its source,
   *     sequence or key are invalid); the message says what is wrong
   */
  public InvalidationMessage<K> decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    try {
      byte version = buf.get();
      if (version != VERSION) {
        throw new IllegalArgumentException(
            "unknown invalidation message version " + version + " (expected " + VERSION + ")");
      }
      byte flags = buf.get();
      if ((flags & ~HAS_KEY) != 0) {
        throw new IllegalArgumentException("unknown flags " + flags + " in invalidation message");
      }
      int sourceLength = getVarint(buf);
      if (sourceLength == 0 || sourceLength > buf.remaining()) {
        throw new IllegalArgumentException(
            "source length "
                + sourceLength
                + " out of range [1, "
                + buf.remaining()
                + "] in invalidation message");
      }
      String source = decodeUtf8(buf, sourceLength);
      long sequence = buf.getLong();
      K key = null;
      if ((flags & HAS_KEY) != 0) {
        byte[] keyBytes = new byte[buf.remaining()];
        buf.get(keyBytes);
        key = keyCodec.decode(keyBytes);
        if (key == null) {
          throw new IllegalArgumentException("keyCodec.decode returned null");
        }
      } else if (buf.hasRemaining()) {
        throw new IllegalArgumentException(
            buf.remaining() + " trailing bytes in an invalidate-all message");
      }
      return new InvalidationMessage<>(source, sequence, key);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException(
          "truncated invalidation message (" + bytes.length + " bytes)", e);
    }
  }

  private byte[] sourceBytes(String source) {
    SourceBytes last = lastSource;
    if (last.source.equals(source)) {
      return last.bytes;
    }
    byte[] bytes;
    try {
      ByteBuffer encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(source));
      bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
    } catch (CharacterCodingException e) {
      // The lenient String#getBytes would turn a lone surrogate into '?', so the receiver would
      // track a different source than the sender meant.
      throw new IllegalArgumentException("source id is not valid Unicode: " + source, e);
    }
    if (bytes.length > MAX_SOURCE_BYTES) {
      throw new IllegalArgumentException(
          "source id must be at most " + MAX_SOURCE_BYTES + " UTF-8 bytes but was " + bytes.length);
    }
    lastSource = new SourceBytes(source, bytes);
    return bytes;
  }

  private static String decodeUtf8(ByteBuffer buf, int length) {
    ByteBuffer slice = buf.slice();
    slice.limit(length);
    buf.position(buf.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice)
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("source id is not valid UTF-8", e);
    }
  }

  private static int varintSize(int value) {
    int size = 1;
    while ((value >>>= 7) != 0) {
      size++;
    }
    return size;
  }

  private static void putVarint(ByteBuffer buf, int value) {
    while ((value & ~0x7F) != 0) {
      buf.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    buf.put((byte) value);
  }

  private static int getVarint(ByteBuffer buf) {
    int value = 0;
    for (int shift = 0; shift <= 21; shift += 7) {
      byte b = buf.get();
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    // More than 4 bytes (28 bits) would exceed any source length we accept.
    throw new IllegalArgumentException("source length varint too long in invalidation message");
  }
}
