package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * A backend response head as {@link ResponseFramer} parsed it on the raw path: the status, what the
 * proxy needs to frame the body and decide about the connections, and the head's bytes with the
 * position of every header line, so the head can be forwarded by copying lines instead of decoding
 * every header into objects and encoding them again.
 *
 * <p>The bytes live in the framer's scratch array: an instance is valid only while it is being
 * delivered ({@link BackendUser#onBackendMessage}); {@link #encode} must be called then.
 *
 * <p>Not thread-safe: confined to the backend connection's event loop.
 */
final class RawResponseHead {
  static final int DROP = 1; // a hop-by-hop line, or Via (re-added with this hop)

  final byte[] bytes;
  final int statusLineEnd; // index after the status line's CRLF
  final int status;
  final boolean http10;
  final boolean keepAlive;
  final boolean chunked;
  final long contentLength; // -1 if absent
  final int[] lines; // per header line: start, end (after CRLF), flags
  final int lineCount;
  final String via; // the existing Via values joined with ", ", or null

  RawResponseHead(
      byte[] bytes,
      int statusLineEnd,
      int status,
      boolean http10,
      boolean keepAlive,
      boolean chunked,
      long contentLength,
      int[] lines,
      int lineCount,
      String via) {
    this.bytes = bytes;
    this.statusLineEnd = statusLineEnd;
    this.status = status;
    this.http10 = http10;
    this.keepAlive = keepAlive;
    this.chunked = chunked;
    this.contentLength = contentLength;
    this.lines = lines;
    this.lineCount = lineCount;
    this.via = via;
  }

  private static final byte[] HTTP11 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VIA = "via: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

  /**
   * The head to send to an HTTP/1.1 client: status line as HTTP/1.1, hop-by-hop headers removed,
   * this hop appended to {@code Via}, and {@code Connection: close} if the client connection ends
   * after this response. Header lines the proxy does not touch are copied byte for byte.
   *
   * @param viaName {@code "1.1 <pseudonym>"}
   * @param close whether to announce that the client connection closes
   * @param room extra capacity to leave for body bytes that may follow in the same buffer
   */
  ByteBuf encode(ByteBufAllocator alloc, String viaName, boolean close, int room) {
    String hop = http10 ? "1.0" + viaName.substring(3) : viaName;
    int size = statusLineEnd + 32 + hop.length() + (via == null ? 0 : via.length() + 2);
    if (lineCount > 0) {
      size += lines[(lineCount - 1) * 3 + 1] - statusLineEnd;
    }
    ByteBuf out = alloc.buffer(size + CLOSE.length + 2 + room);
    out.writeBytes(HTTP11);
    out.writeBytes(bytes, 9, statusLineEnd - 9); // "200 OK\r\n", as received
    int runStart = -1;
    int runEnd = -1;
    for (int i = 0; i < lineCount; i++) {
      int start = lines[i * 3];
      int end = lines[i * 3 + 1];
      if ((lines[i * 3 + 2] & DROP) != 0) {
        continue;
      }
      if (start == runEnd) {
        runEnd = end; // adjacent kept lines are copied in one go
      } else {
        if (runStart >= 0) {
          out.writeBytes(bytes, runStart, runEnd - runStart);
        }
        runStart = start;
        runEnd = end;
      }
    }
    if (runStart >= 0) {
      out.writeBytes(bytes, runStart, runEnd - runStart);
    }
    out.writeBytes(VIA);
    if (via != null) {
      out.writeCharSequence(via, StandardCharsets.ISO_8859_1);
      out.writeByte(',').writeByte(' ');
    }
    out.writeCharSequence(hop, StandardCharsets.ISO_8859_1);
    out.writeByte('\r').writeByte('\n');
    if (close) {
      out.writeBytes(CLOSE);
    }
    out.writeByte('\r').writeByte('\n');
    return out;
  }
}
