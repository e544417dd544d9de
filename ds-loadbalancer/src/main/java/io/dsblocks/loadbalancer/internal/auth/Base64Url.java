package io.dsblocks.loadbalancer.internal.auth;

import java.util.Base64;

/**
 * Strict base64url (RFC 4648 §5, no padding) as JWS requires (RFC 7515 §2).
 *
 * <p>Strict means canonical: the JDK decoder accepts padding and ignores non-zero bits in the last
 * character, so different strings decode to the same bytes. For a signature that would let a
 * tampered token (last character changed) verify; we re-encode and compare instead, so exactly one
 * string maps to each byte sequence. Stateless and thread-safe.
 */
public final class Base64Url {
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Base64Url() {}

  /**
   * Decodes canonical unpadded base64url.
   *
   * @param text the encoded text
   * @return the bytes
   * @throws IllegalArgumentException if the text has padding, a character outside the alphabet, an
   *     impossible length or non-zero unused bits
   */
  public static byte[] decode(String text) {
    if (text.indexOf('=') >= 0) {
      throw new IllegalArgumentException("base64url must not be padded");
    }
    byte[] out;
    try {
      out = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid base64url: " + e.getMessage(), e);
    }
    if (!ENCODER.encodeToString(out).equals(text)) {
      throw new IllegalArgumentException("non-canonical base64url (unused bits set)");
    }
    return out;
  }

  /**
   * Encodes without padding.
   *
   * @param bytes the bytes
   * @return base64url text
   */
  public static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }
}
