package io.dsblocks.loadbalancer.internal.auth;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * Converts ECDSA signatures between the JWS form (RFC 7518 §3.4: R and S as fixed-width unsigned
 * big-endian integers, concatenated; 64 bytes for ES256) and the ASN.1 DER {@code SEQUENCE {
 * INTEGER r, INTEGER s }} that the JDK's {@code SHA256withECDSA} signs and verifies. Stateless and
 * thread-safe.
 */
public final class EcdsaSignatures {
  private EcdsaSignatures() {}

  /**
   * JWS (raw R||S) to DER.
   *
   * @param raw R||S, each {@code fieldBytes} long
   * @param fieldBytes 32 for P-256
   * @return the DER encoding
   * @throws IllegalArgumentException if {@code raw} is not {@code 2 × fieldBytes} long
   */
  public static byte[] rawToDer(byte[] raw, int fieldBytes) {
    if (raw.length != 2 * fieldBytes) {
      throw new IllegalArgumentException(
          "ECDSA signature must be " + (2 * fieldBytes) + " bytes, got " + raw.length);
    }
    byte[] r = derInteger(Arrays.copyOfRange(raw, 0, fieldBytes));
    byte[] s = derInteger(Arrays.copyOfRange(raw, fieldBytes, raw.length));
    ByteArrayOutputStream out = new ByteArrayOutputStream(r.length + s.length + 4);
    out.write(0x30);
    writeLength(out, r.length + s.length);
    out.write(r, 0, r.length);
    out.write(s, 0, s.length);
    return out.toByteArray();
  }

  private static byte[] derInteger(byte[] unsigned) {
    // Minimal encoding: drop leading zeros, then add one back if the top bit would read as a sign.
    int i = 0;
    while (i < unsigned.length - 1 && unsigned[i] == 0) {
      i++;
    }
    boolean pad = (unsigned[i] & 0x80) != 0;
    int len = unsigned.length - i + (pad ? 1 : 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream(len + 4);
    out.write(0x02);
    writeLength(out, len);
    if (pad) {
      out.write(0);
    }
    out.write(unsigned, i, unsigned.length - i);
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int len) {
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else {
      out.write(0x82);
      out.write(len >>> 8);
      out.write(len);
    }
  }

  /**
   * DER to JWS (raw R||S), e.g. to produce an ES256 token from a JDK signature.
   *
   * @param der the DER signature
   * @param fieldBytes 32 for P-256
   * @return R||S, {@code 2 × fieldBytes} long
   * @throws IllegalArgumentException if the DER is malformed or an integer does not fit
   */
  public static byte[] derToRaw(byte[] der, int fieldBytes) {
    int[] pos = {0};
    if (der.length < 2 || der[pos[0]++] != 0x30) {
      throw new IllegalArgumentException("ECDSA DER signature must start with a SEQUENCE");
    }
    int seqLen = readLength(der, pos);
    if (pos[0] + seqLen != der.length) {
      throw new IllegalArgumentException("ECDSA DER SEQUENCE length does not match the input");
    }
    byte[] out = new byte[2 * fieldBytes];
    readInteger(der, pos, out, 0, fieldBytes);
    readInteger(der, pos, out, fieldBytes, fieldBytes);
    if (pos[0] != der.length) {
      throw new IllegalArgumentException("trailing bytes after ECDSA DER integers");
    }
    return out;
  }

  private static void readInteger(byte[] der, int[] pos, byte[] out, int off, int fieldBytes) {
    if (pos[0] >= der.length || der[pos[0]++] != 0x02) {
      throw new IllegalArgumentException("ECDSA DER signature: INTEGER expected");
    }
    int len = readLength(der, pos);
    if (len == 0 || pos[0] + len > der.length) {
      throw new IllegalArgumentException("ECDSA DER signature: bad INTEGER length");
    }
    BigInteger v = new BigInteger(Arrays.copyOfRange(der, pos[0], pos[0] + len));
    pos[0] += len;
    if (v.signum() < 0) {
      throw new IllegalArgumentException("ECDSA DER signature: negative INTEGER");
    }
    byte[] mag = v.toByteArray();
    int start = mag.length > 1 && mag[0] == 0 ? 1 : 0; // sign byte
    int n = mag.length - start;
    if (n > fieldBytes) {
      throw new IllegalArgumentException("ECDSA DER signature: INTEGER wider than the field");
    }
    System.arraycopy(mag, start, out, off + fieldBytes - n, n);
  }

  private static int readLength(byte[] der, int[] pos) {
    if (pos[0] >= der.length) {
      throw new IllegalArgumentException("ECDSA DER signature: truncated length");
    }
    int b = der[pos[0]++] & 0xff;
    if (b < 0x80) {
      return b;
    }
    int count = b & 0x7f;
    if (count == 0 || count > 2 || pos[0] + count > der.length) {
      throw new IllegalArgumentException("ECDSA DER signature: unsupported length encoding");
    }
    int len = 0;
    for (int i = 0; i < count; i++) {
      len = (len << 8) | (der[pos[0]++] & 0xff);
    }
    return len;
  }
}
