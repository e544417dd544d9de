package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The raw response path of a backend connection: instead of decoding every response into Netty HTTP
 * objects (headers as Strings in a map) and encoding it again for the client, it finds the end of
 * the head, parses only what the proxy needs (status, framing, keep-alive, hop-by-hop and {@code
 * Via} lines) and hands on a {@link RawResponseHead}, then the body bytes unchanged as {@link
 * RawBody} parts: counted down for {@code Content-Length}, followed through a chunk-size state
 * machine for chunked bodies (chunk framing, extensions and trailers pass as they are), so that the
 * end of the response is known and the connection can be reused.
 *
 * <p>It is used only for the common case. In decoded mode (a response cache fill, an HTTP/2 or
 * HTTP/1.0 client), and for any response it does not fully understand - an interim 1xx, a body
 * delimited by the connection closing, duplicate or odd framing headers, obsolete line folding,
 * bare LF line ends, a head over the size limit, anything malformed - it passes the bytes, from the
 * start of that response on, to the {@link FillResponseDecoder} behind it and stays out of the way
 * for the rest of the connection's life, so those cases keep the full decoder's behaviour
 * (including its errors, which the proxy turns into 502).
 *
 * <p>A body that breaks the chunked framing after the head was forwarded is reported as {@link
 * #MALFORMED_BODY}; bytes after the end of a response, which nothing asked for, close the
 * connection.
 *
 * <p>Not thread-safe: one instance per backend channel, used on its event loop.
 */
final class ResponseFramer extends ChannelInboundHandlerAdapter {
  /** Delivered instead of a body part when a chunked body breaks its framing. */
  static final Object MALFORMED_BODY = new Object();

  private static final int HEAD = 0;
  private static final int LENGTH = 1;
  private static final int CHUNKED = 2;

  // Chunked sub-states, one byte at a time (chunk data is skipped in bulk).
  private static final int C_SIZE_START = 0;
  private static final int C_SIZE = 1;
  private static final int C_EXT = 2;
  private static final int C_SIZE_LF = 3;
  private static final int C_DATA = 4;
  private static final int C_DATA_CR = 5;
  private static final int C_DATA_LF = 6;
  private static final int C_TRAILER_START = 7;
  private static final int C_TRAILER = 8;
  private static final int C_END_LF = 9;

  private static final byte[] TOKEN = new byte[256]; // indexed by the unsigned byte

  static {
    for (int c = '0'; c <= '9'; c++) {
      TOKEN[c] = 1;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = 1;
      TOKEN[c - 32] = 1;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN[c] = 1;
    }
  }

  private final int maxHeadSize;
  private boolean raw;
  private boolean headRequest;
  private boolean passThrough; // sticky: the decoder behind handles this connection from now on
  private int state = HEAD;
  private ByteBuf pending; // an incomplete head
  private long remaining; // LENGTH: body bytes left; CHUNKED: bytes left of the current chunk
  private int chunkState;
  private long chunkSize;
  private int trailerBytes;
  private byte[] scratch = new byte[512];
  private int[] lines = new int[3 * 16];

  /**
   * Creates the framer.
   *
   * @param maxHeadSize the largest response head accepted on the raw path (status line and
   *     headers); a larger one goes to the decoder, whose limits then answer it
   */
  ResponseFramer(int maxHeadSize) {
    this.maxHeadSize = maxHeadSize;
  }

  /**
   * Sets the mode for the next response, before its request is sent.
   *
   * @param raw whether the owner takes raw parts ({@link RawResponseHead}, {@link RawBody}) or
   *     decoded HTTP objects
   * @param headRequest whether the request is a HEAD (its response has no body)
   */
  void configure(boolean raw, boolean headRequest) {
    this.raw = raw;
    this.headRequest = headRequest;
  }

  /** Whether the response expected is to a HEAD request (for the decoder behind). */
  boolean headRequest() {
    return headRequest;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (passThrough || !(msg instanceof ByteBuf) || (!raw && state == HEAD && pending == null)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf in = (ByteBuf) msg;
    try {
      feed(ctx, in);
    } finally {
      in.release();
    }
  }

  private void feed(ChannelHandlerContext ctx, ByteBuf in) {
    while (in.isReadable() && !passThrough && ctx.channel().isActive()) {
      switch (state) {
        case HEAD:
          if (!head(ctx, in)) {
            return;
          }
          break;
        case LENGTH:
          {
            int n = (int) Math.min(remaining, in.readableBytes());
            remaining -= n;
            boolean last = remaining == 0;
            if (last) {
              state = HEAD;
            }
            ctx.fireChannelRead(new RawBody(in.readRetainedSlice(n), n, last));
            if (last) {
              leftover(ctx, in);
            }
            break;
          }
        case CHUNKED:
          chunked(ctx, in);
          break;
        default:
          throw new IllegalStateException("state " + state);
      }
    }
  }

  /** Bytes after a complete response: nothing asked for them, so the framing cannot be trusted. */
  private static void leftover(ChannelHandlerContext ctx, ByteBuf in) {
    if (in.isReadable()) {
      in.skipBytes(in.readableBytes());
      ctx.close();
    }
  }

  /** Returns false when more bytes are needed (or the rest went to the decoder). */
  private boolean head(ChannelHandlerContext ctx, ByteBuf in) {
    ByteBuf buf = in;
    if (pending != null) {
      pending.writeBytes(in);
      buf = pending;
    }
    if (!raw) {
      fallBack(ctx, buf, in);
      return false;
    }
    int start = buf.readerIndex();
    int end = findHeadEnd(buf, start, buf.writerIndex());
    if (end < 0) {
      if (buf.readableBytes() > maxHeadSize) {
        fallBack(ctx, buf, in);
      } else if (pending == null) {
        pending = ctx.alloc().buffer(Math.max(1024, in.readableBytes() * 2));
        pending.writeBytes(in);
      }
      return false;
    }
    int len = end - start;
    if (len > maxHeadSize) {
      fallBack(ctx, buf, in);
      return false;
    }
    if (scratch.length < len) {
      scratch = new byte[Math.max(len, scratch.length * 2)];
    }
    buf.getBytes(start, scratch, 0, len);
    RawResponseHead h = parse(scratch, len);
    if (h == null) {
      fallBack(ctx, buf, in);
      return false;
    }
    buf.readerIndex(end);
    if (pending != null) {
      // The rest of this read is still in pending: go on from there, then drop it.
      ByteBuf p = pending;
      pending = null;
      try {
        start(ctx, h);
        feed(ctx, p);
      } finally {
        p.release();
      }
      return false;
    }
    start(ctx, h);
    return true;
  }

  private void start(ChannelHandlerContext ctx, RawResponseHead h) {
    boolean bodyless = headRequest || h.status == 204 || h.status == 304;
    if (bodyless || (!h.chunked && h.contentLength == 0)) {
      state = HEAD;
      ctx.fireChannelRead(h);
      ctx.fireChannelRead(new RawBody(Unpooled.EMPTY_BUFFER, 0, true));
      return;
    }
    if (h.chunked) {
      state = CHUNKED;
      chunkState = C_SIZE_START;
      chunkSize = 0;
      trailerBytes = 0;
    } else {
      state = LENGTH;
      remaining = h.contentLength;
    }
    ctx.fireChannelRead(h);
  }

  /** Hands this response's bytes (and everything after) to the decoder behind. */
  private void fallBack(ChannelHandlerContext ctx, ByteBuf buf, ByteBuf in) {
    passThrough = true;
    ByteBuf rest;
    if (buf == pending) {
      rest = pending;
      pending = null;
    } else {
      rest = in.retainedSlice();
    }
    in.skipBytes(in.readableBytes());
    ctx.fireChannelRead(rest);
  }

  /** Index after the empty line ending the head, or -1. Only CRLF line ends are accepted here. */
  private static int findHeadEnd(ByteBuf buf, int from, int to) {
    int i = buf.indexOf(from, to, (byte) '\n');
    while (i >= 0) {
      if (i + 2 < to && buf.getByte(i + 1) == '\r' && buf.getByte(i + 2) == '\n') {
        return i + 3;
      }
      if (i + 1 < to && buf.getByte(i + 1) == '\n') {
        return i + 2; // a bare LF pair: parse() refuses it, so the decoder deals with it
      }
      i = buf.indexOf(i + 1, to, (byte) '\n');
    }
    return -1;
  }

  // ---------------------------------------------------------------- head parsing

  /** The parsed head, or null if it is anything but a plain final response the raw path frames. */
  RawResponseHead parse(byte[] b, int len) {
    // "HTTP/1.x SP 3DIGIT SP reason CRLF" (the reason may be empty, its SP too)
    if (len < 14
        || b[0] != 'H'
        || b[1] != 'T'
        || b[2] != 'T'
        || b[3] != 'P'
        || b[4] != '/'
        || b[5] != '1'
        || b[6] != '.'
        || (b[7] != '1' && b[7] != '0')
        || b[8] != ' '
        || !digit(b[9])
        || !digit(b[10])
        || !digit(b[11])) {
      return null;
    }
    if (b[len - 4] != '\r' || b[len - 3] != '\n' || b[len - 2] != '\r' || b[len - 1] != '\n') {
      return null; // the scans below rely on this CRLF CRLF to stop
    }
    boolean http10 = b[7] == '0';
    int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
    if (status < 200 || status > 599) {
      return null; // interim responses (and nonsense) go to the decoder
    }
    int i = 12;
    if (b[i] == ' ') {
      i = scanValue(b, 13);
      if (i < 0) {
        return null;
      }
    }
    if (i + 1 >= len || b[i] != '\r' || b[i + 1] != '\n') {
      return null;
    }
    int statusLineEnd = i + 2;
    int n = 0;
    int contentLengths = 0;
    long contentLength = -1;
    int transferEncodings = 0;
    boolean chunked = false;
    boolean close = false;
    boolean keepAliveToken = false;
    int connectionLines = 0;
    StringBuilder via = null;
    int pos = statusLineEnd;
    while (true) {
      if (pos + 1 >= len) {
        return null;
      }
      if (b[pos] == '\r' && b[pos + 1] == '\n') {
        break; // the empty line
      }
      int nameStart = pos;
      int j = pos;
      while (TOKEN[b[j] & 0xff] != 0) { // stops at the latest at the final CRLF
        j++;
      }
      if (j == nameStart || b[j] != ':') {
        return null; // no name, a space before the colon, obsolete folding, or junk
      }
      int nameEnd = j;
      j++;
      while (b[j] == ' ' || b[j] == '\t') {
        j++;
      }
      int valueStart = j;
      j = scanValue(b, j);
      if (j < 0 || b[j + 1] != '\n') {
        return null;
      }
      int valueEnd = j;
      while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
        valueEnd--;
      }
      int lineEnd = j + 2;
      if (lines.length < (n + 1) * 3) {
        lines = java.util.Arrays.copyOf(lines, lines.length * 2);
      }
      int flags = 0;
      switch (nameEnd - nameStart) {
        case 2:
          if (is(b, nameStart, "te")) {
            flags = RawResponseHead.DROP;
          }
          break;
        case 3:
          if (is(b, nameStart, "via")) {
            flags = RawResponseHead.DROP;
            if (via == null) {
              via = new StringBuilder();
            } else {
              via.append(", ");
            }
            via.append(
                new String(b, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
          }
          break;
        case 7:
          if (is(b, nameStart, "trailer") || is(b, nameStart, "upgrade")) {
            flags = RawResponseHead.DROP;
          }
          break;
        case 10:
          if (is(b, nameStart, "connection")) {
            flags = RawResponseHead.DROP;
            connectionLines++;
          } else if (is(b, nameStart, "keep-alive")) {
            flags = RawResponseHead.DROP;
          }
          break;
        case 14:
          if (is(b, nameStart, "content-length")) {
            contentLengths++;
            contentLength = parseLength(b, valueStart, valueEnd);
            if (contentLength < 0) {
              return null;
            }
          }
          break;
        case 16:
          if (is(b, nameStart, "proxy-connection")) {
            flags = RawResponseHead.DROP;
          }
          break;
        case 17:
          if (is(b, nameStart, "transfer-encoding")) {
            transferEncodings++;
            if (valueEnd - valueStart != 7 || !is(b, valueStart, "chunked")) {
              return null;
            }
            chunked = true;
          }
          break;
        case 18:
          if (is(b, nameStart, "proxy-authenticate")) {
            flags = RawResponseHead.DROP;
          }
          break;
        case 19:
          if (is(b, nameStart, "proxy-authorization")) {
            flags = RawResponseHead.DROP;
          }
          break;
        default:
          break;
      }
      lines[n * 3] = nameStart;
      lines[n * 3 + 1] = lineEnd;
      lines[n * 3 + 2] = flags;
      n++;
      pos = lineEnd;
    }
    if (pos + 2 != len || contentLengths > 1 || transferEncodings > 1) {
      return null;
    }
    if (chunked && contentLengths > 0) {
      return null; // conflicting framing: the decoder's rules apply
    }
    if (!chunked && contentLengths == 0) {
      boolean bodyless = headRequest || status == 204 || status == 304;
      if (!bodyless) {
        return null; // delimited by close: the decoder reads it to the end
      }
    }
    if (connectionLines > 0) {
      // Tokens of Connection: close / keep-alive decide reuse; any other names a header to drop.
      for (int k = 0; k < n; k++) {
        int s = lines[k * 3];
        if ((lines[k * 3 + 2] & RawResponseHead.DROP) == 0
            || !is(b, s, "connection")
            || b[s + 10] != ':') {
          continue;
        }
        int v = s + 11;
        int e = lines[k * 3 + 1] - 2;
        while (v < e) {
          int comma = v;
          while (comma < e && b[comma] != ',') {
            comma++;
          }
          int ts = v;
          int te = comma;
          while (ts < te && (b[ts] == ' ' || b[ts] == '\t')) {
            ts++;
          }
          while (te > ts && (b[te - 1] == ' ' || b[te - 1] == '\t')) {
            te--;
          }
          if (te - ts == 5 && is(b, ts, "close")) {
            close = true;
          } else if (te - ts == 10 && is(b, ts, "keep-alive")) {
            keepAliveToken = true;
          } else if (te > ts) {
            dropNamed(b, n, ts, te);
          }
          v = comma + 1;
        }
      }
    }
    boolean keepAlive = !close && (!http10 || keepAliveToken);
    return new RawResponseHead(
        b,
        statusLineEnd,
        status,
        http10,
        keepAlive,
        chunked,
        contentLength,
        lines,
        n,
        via == null ? null : via.toString());
  }

  /** Marks the lines of the header a Connection token names (framing headers excepted). */
  private void dropNamed(byte[] b, int n, int ts, int te) {
    int tl = te - ts;
    if ((tl == 14 && is(b, ts, "content-length"))
        || (tl == 17 && is(b, ts, "transfer-encoding"))
        || (tl == 4 && is(b, ts, "host"))) {
      return;
    }
    for (int k = 0; k < n; k++) {
      int s = lines[k * 3];
      if (s + tl < b.length && b[s + tl] == ':' && equalsIgnoreCase(b, s, b, ts, tl)) {
        lines[k * 3 + 2] |= RawResponseHead.DROP;
      }
    }
  }

  /**
   * The index of the CR ending a field value or reason phrase that starts at {@code i}, or -1 if it
   * holds a control character other than tab (a bare LF or CR, NUL, DEL). Bytes from 0x80 up
   * (obs-text) are allowed, as in Netty's decoder.
   */
  private static int scanValue(byte[] b, int i) {
    while (true) {
      int c = b[i] & 0xff;
      if (c < 0x20) {
        if (c == '\r') {
          return i;
        }
        if (c != '\t') {
          return -1;
        }
      } else if (c == 0x7f) {
        return -1;
      }
      i++;
    }
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static long parseLength(byte[] b, int from, int to) {
    if (from == to || to - from > 18) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      if (!digit(b[i])) {
        return -1;
      }
      v = v * 10 + (b[i] - '0');
    }
    return v;
  }

  /** Whether b[at..] starts with the lower-case ASCII word, ignoring case. */
  private static boolean is(byte[] b, int at, String lower) {
    if (at + lower.length() > b.length) {
      return false;
    }
    for (int i = 0; i < lower.length(); i++) {
      int c = b[at + i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean equalsIgnoreCase(byte[] a, int ai, byte[] b, int bi, int n) {
    for (int i = 0; i < n; i++) {
      int x = a[ai + i];
      int y = b[bi + i];
      if (x >= 'A' && x <= 'Z') {
        x += 32;
      }
      if (y >= 'A' && y <= 'Z') {
        y += 32;
      }
      if (x != y) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- chunked body

  /** Follows the chunked framing through this buffer and forwards what it consumed, unchanged. */
  private void chunked(ChannelHandlerContext ctx, ByteBuf in) {
    int start = in.readerIndex();
    int i = start;
    int to = in.writerIndex();
    long payload = 0;
    boolean last = false;
    while (i < to && !last) {
      if (chunkState == C_DATA) {
        int n = (int) Math.min(remaining, to - i);
        i += n;
        payload += n;
        remaining -= n;
        if (remaining == 0) {
          chunkState = C_DATA_CR;
        }
        continue;
      }
      byte c = in.getByte(i++);
      switch (chunkState) {
        case C_SIZE_START:
        case C_SIZE:
          {
            int d = hex(c);
            if (d >= 0) {
              if (chunkSize > (Long.MAX_VALUE >> 5)) {
                malformed(ctx, in);
                return;
              }
              chunkSize = chunkSize * 16 + d;
              chunkState = C_SIZE;
            } else if (chunkState == C_SIZE_START) {
              malformed(ctx, in);
              return;
            } else if (c == ';' || c == ' ' || c == '\t') {
              chunkState = C_EXT;
            } else if (c == '\r') {
              chunkState = C_SIZE_LF;
            } else if (c == '\n') {
              sizeLineDone();
            } else {
              malformed(ctx, in);
              return;
            }
            break;
          }
        case C_EXT:
          if (c == '\r') {
            chunkState = C_SIZE_LF;
          } else if (c == '\n') {
            sizeLineDone();
          } else if (c == 0) {
            malformed(ctx, in);
            return;
          }
          break;
        case C_SIZE_LF:
          if (c != '\n') {
            malformed(ctx, in);
            return;
          }
          sizeLineDone();
          break;
        case C_DATA_CR:
          if (c == '\r') {
            chunkState = C_DATA_LF;
          } else if (c == '\n') {
            chunkState = C_SIZE_START;
          } else {
            malformed(ctx, in);
            return;
          }
          break;
        case C_DATA_LF:
          if (c != '\n') {
            malformed(ctx, in);
            return;
          }
          chunkState = C_SIZE_START;
          break;
        case C_TRAILER_START:
          if (c == '\r') {
            chunkState = C_END_LF;
          } else if (c == '\n') {
            last = true;
          } else {
            chunkState = C_TRAILER;
          }
          break;
        case C_TRAILER:
          if (++trailerBytes > maxHeadSize) {
            malformed(ctx, in);
            return;
          }
          if (c == '\n') {
            chunkState = C_TRAILER_START;
          }
          break;
        case C_END_LF:
          if (c != '\n') {
            malformed(ctx, in);
            return;
          }
          last = true;
          break;
        default:
          throw new IllegalStateException("chunk state " + chunkState);
      }
    }
    if (last) {
      state = HEAD;
    }
    in.readerIndex(i);
    ctx.fireChannelRead(new RawBody(in.retainedSlice(start, i - start), payload, last));
    if (last) {
      leftover(ctx, in);
    }
  }

  private void sizeLineDone() {
    if (chunkSize == 0) {
      chunkState = C_TRAILER_START;
    } else {
      remaining = chunkSize;
      chunkSize = 0;
      chunkState = C_DATA;
    }
  }

  private void malformed(ChannelHandlerContext ctx, ByteBuf in) {
    in.skipBytes(in.readableBytes());
    state = HEAD;
    passThrough = true; // nothing more is read from here: the owner closes the connection
    ctx.fireChannelRead(MALFORMED_BODY);
    ctx.close();
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ByteBuf p = pending;
    if (p != null) {
      // Closed inside a head: the decoder reports a truncated head as it always did.
      pending = null;
      passThrough = true;
      ctx.fireChannelRead(p);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    if (pending != null) {
      ReferenceCountUtil.release(pending);
      pending = null;
    }
  }

  /** A part of a response body on the raw path, as it came from the backend. */
  static final class RawBody extends DefaultByteBufHolder {
    /** Payload bytes among them (without chunk framing), for the access log. */
    final long payload;

    /** Whether this part ends the response. */
    final boolean last;

    /**
     * A part.
     *
     * @param bytes the bytes to forward as they came (chunk framing included); the receiver of the
     *     part releases them
     */
    RawBody(ByteBuf bytes, long payload, boolean last) {
      super(bytes);
      this.payload = payload;
      this.last = last;
    }
  }
}
