package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C Trace Context ({@code traceparent}/{@code tracestate}) propagation for a proxy that does not
 * record spans itself: a valid {@code traceparent} is passed through unchanged (with its {@code
 * tracestate}); a missing or invalid one is replaced by a new trace (random trace id and parent id,
 * sampled flag set so that downstream tracers record it), and then any {@code tracestate} is
 * dropped, as the specification requires when the parent is not valid.
 *
 * <p>Stateless and thread-safe.
 */
final class TraceContext {
  static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private TraceContext() {}

  /**
   * Makes sure the request carries a valid {@code traceparent}.
   *
   * @param headers the request headers, changed in place
   * @return the {@code traceparent} value in use; {@link #traceId} extracts the trace id from it
   *     only when someone asks (the access log), so no String is built per request otherwise
   */
  static CharSequence propagate(HttpHeaders headers) {
    String value = headers.get(TRACEPARENT);
    // Exactly one valid header; the list is only built when one is present at all.
    if (value != null && isValid(value) && headers.getAll(TRACEPARENT).size() == 1) {
      return value;
    }
    headers.remove(TRACESTATE);
    // An AsciiString over the bytes: no char[] or String copies, and the encoder copies it as is.
    AsciiString created = new AsciiString(newTraceparent(ThreadLocalRandom.current()), false);
    headers.set(TRACEPARENT, created);
    return created;
  }

  /**
   * The trace id of a {@code traceparent} value that {@link #propagate} returned.
   *
   * @param traceparent a valid value, or null
   * @return its 32 hex digits, or {@code "-"} for null
   */
  static String traceId(CharSequence traceparent) {
    return traceparent == null ? "-" : traceparent.subSequence(3, 35).toString();
  }

  /**
   * Validates a {@code traceparent} value: {@code version-traceid-parentid-flags}, lower-case hex,
   * version not {@code ff}, ids not all zero. Version 00 must be exactly 55 characters; a higher
   * version may append fields after a dash (forward compatibility).
   *
   * @param v the header value
   * @return whether it is valid
   */
  static boolean isValid(String v) {
    if (v.length() < 55) {
      return false;
    }
    if (!isHex(v, 0, 2) || v.startsWith("ff")) {
      return false;
    }
    if (v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
      return false;
    }
    if (!isHex(v, 3, 35) || !isHex(v, 36, 52) || !isHex(v, 53, 55)) {
      return false;
    }
    if (allZero(v, 3, 35) || allZero(v, 36, 52)) {
      return false;
    }
    if (v.startsWith("00")) {
      return v.length() == 55;
    }
    return v.length() == 55 || v.charAt(55) == '-';
  }

  static byte[] newTraceparent(ThreadLocalRandom random) {
    byte[] out = new byte[55];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    long hi;
    long lo;
    do {
      hi = random.nextLong();
      lo = random.nextLong();
    } while (hi == 0 && lo == 0);
    writeHex(out, 3, hi);
    writeHex(out, 19, lo);
    out[35] = '-';
    long span;
    do {
      span = random.nextLong();
    } while (span == 0);
    writeHex(out, 36, span);
    out[52] = '-';
    out[53] = '0';
    out[54] = '1';
    return out;
  }

  private static void writeHex(byte[] out, int at, long v) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (v & 0xF)];
      v >>>= 4;
    }
  }

  private static boolean isHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean allZero(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
