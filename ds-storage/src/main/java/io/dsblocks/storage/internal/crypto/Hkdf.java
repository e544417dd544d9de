package io.dsblocks.storage.internal.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA-256 (RFC 5869). The JDK 17 has no public HKDF, and it is a few lines over
 * {@link Mac}. Used to derive per-sealer subkeys so that nonce counters never meet a key twice.
 *
 * <p>Stateless and thread-safe.
 */
public final class Hkdf {

  private static final int HASH_LEN = 32;

  private Hkdf() {}

  /**
   * Derives {@code length} bytes of key material.
   *
   * @param inputKey the secret input keying material
   * @param salt a non-secret random value; empty means "no salt" (HASH_LEN zero bytes)
   * @param info context binding the output to one purpose
   * @param length output length in {@code [1, 8160]}
   * @return the derived bytes
   * @throws IllegalArgumentException if {@code length} is out of range
   */
  public static byte[] sha256(byte[] inputKey, byte[] salt, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_LEN) {
      throw new IllegalArgumentException(
          "length must be in [1, " + 255 * HASH_LEN + "] but was " + length);
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      // Extract: PRK = HMAC(salt, IKM). An empty salt is replaced by zeros, as the RFC says.
      mac.init(new SecretKeySpec(salt.length == 0 ? new byte[HASH_LEN] : salt, "HmacSHA256"));
      byte[] prk = mac.doFinal(inputKey);
      // Expand: T(i) = HMAC(PRK, T(i-1) | info | i), output = T(1) | T(2) | ...
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      byte[] out = new byte[length];
      byte[] t = new byte[0];
      for (int i = 1, done = 0; done < length; i++) {
        mac.update(t);
        mac.update(info);
        mac.update((byte) i);
        t = mac.doFinal();
        int n = Math.min(HASH_LEN, length - done);
        System.arraycopy(t, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }
}
