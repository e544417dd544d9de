package io.dsblocks.loadbalancer.proxy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-made HTTP/2 frames for tests that must misbehave (garbage, resets mid-body): header blocks
 * use HPACK literals without indexing or Huffman coding, which every decoder must accept.
 */
final class H2Frames {
  static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private H2Frames() {}

  static byte[] frame(int type, int flags, int stream, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }

  /** A HEADERS frame (END_HEADERS, and END_STREAM if asked) with extra name/value pairs. */
  static byte[] headers(
      int stream, boolean endStream, String method, String path, String authority, String... kv) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    literal(b, ":method", method);
    literal(b, ":scheme", "https");
    literal(b, ":path", path);
    literal(b, ":authority", authority);
    for (int i = 0; i < kv.length; i += 2) {
      literal(b, kv[i], kv[i + 1]);
    }
    return frame(1, 0x4 | (endStream ? 0x1 : 0), stream, b.toByteArray());
  }

  private static void literal(ByteArrayOutputStream b, String name, String value) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    byte[] v = value.getBytes(StandardCharsets.US_ASCII);
    b.write(0x00); // literal header field without indexing, new name
    b.write(n.length); // < 127: fits the 7-bit prefix, no Huffman
    b.write(n, 0, n.length);
    b.write(v.length);
    b.write(v, 0, v.length);
  }

  /** Reads frames until the server closes; returns {length, type, flags, stream} of each. */
  static List<int[]> readUntilEof(InputStream in) throws IOException {
    List<int[]> frames = new ArrayList<>();
    DataInputStream d = new DataInputStream(in);
    try {
      while (true) {
        frames.add(readFrame(d, null));
      }
    } catch (EOFException | SocketTimeoutException e) {
      return frames;
    } catch (IOException e) {
      return frames; // a reset after GOAWAY is a close too
    }
  }

  /**
   * Reads frames until a HEADERS frame on {@code stream} and returns its status (only the static
   * table's indexed statuses are decoded: 200, 204, 206, 304, 400, 404, 500).
   */
  static int awaitResponseStatus(InputStream in, int stream) throws IOException {
    DataInputStream d = new DataInputStream(in);
    while (true) {
      byte[][] payload = new byte[1][];
      int[] f = readFrame(d, payload);
      if (f[1] == 1 && f[3] == stream) {
        int first = payload[0][(f[2] & 0x8) != 0 ? 1 : 0] & 0xff;
        switch (first) {
          case 0x88:
            return 200;
          case 0x89:
            return 204;
          case 0x8a:
            return 206;
          case 0x8b:
            return 304;
          case 0x8c:
            return 400;
          case 0x8d:
            return 404;
          case 0x8e:
            return 500;
          default:
            return -first;
        }
      }
    }
  }

  private static int[] readFrame(DataInputStream d, byte[][] payloadOut) throws IOException {
    int len = (d.readUnsignedByte() << 16) | (d.readUnsignedByte() << 8) | d.readUnsignedByte();
    int type = d.readUnsignedByte();
    int flags = d.readUnsignedByte();
    int stream = d.readInt() & 0x7fffffff;
    byte[] payload = new byte[len];
    d.readFully(payload);
    if (payloadOut != null) {
      payloadOut[0] = payload;
    }
    return new int[] {len, type, flags, stream};
  }
}
