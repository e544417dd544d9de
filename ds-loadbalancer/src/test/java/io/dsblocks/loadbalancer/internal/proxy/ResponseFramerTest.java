package io.dsblocks.loadbalancer.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The raw response path's framer over byte sequences: every response is fed split at every possible
 * point (and byte by byte), and what comes out must be the same whatever the split - the forwarded
 * head, the body bytes unchanged, the payload count and exactly one last part. Responses the raw
 * path does not take must reach the full decoder behind it intact.
 */
class ResponseFramerTest {
  private static final String VIA = "1.1 dsblocks";

  /** What the owner of a backend connection would see, with each raw head encoded on arrival. */
  private static final class Collector extends ChannelInboundHandlerAdapter {
    final List<String> heads = new ArrayList<>();
    final List<Boolean> keepAlive = new ArrayList<>();
    final List<Integer> statuses = new ArrayList<>();
    final StringBuilder body = new StringBuilder();
    long payload;
    int lastParts;
    int partsAfterLast;
    boolean malformed;
    final List<Object> decoded = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof RawResponseHead) {
        RawResponseHead h = (RawResponseHead) msg;
        ByteBuf out = h.encode(ByteBufAllocator.DEFAULT, VIA, false, 0);
        heads.add(out.toString(StandardCharsets.ISO_8859_1));
        out.release();
        keepAlive.add(h.keepAlive);
        statuses.add(h.status);
      } else if (msg instanceof ResponseFramer.RawBody) {
        ResponseFramer.RawBody b = (ResponseFramer.RawBody) msg;
        if (lastParts > 0) {
          partsAfterLast++;
        }
        body.append(b.content().toString(StandardCharsets.ISO_8859_1));
        payload += b.payload;
        if (b.last) {
          lastParts++;
        }
        b.release();
      } else if (msg == ResponseFramer.MALFORMED_BODY) {
        malformed = true;
      } else {
        decoded.add(msg);
      }
    }

    void releaseDecoded() {
      decoded.forEach(ReferenceCountUtil::release);
    }
  }

  private static EmbeddedChannel channel(Collector c, boolean raw, boolean head, int maxHead) {
    ResponseFramer framer = new ResponseFramer(maxHead);
    framer.configure(raw, head);
    HttpDecoderConfig config = new HttpDecoderConfig().setMaxHeaderSize(maxHead);
    return new EmbeddedChannel(framer, new FillResponseDecoder(config, framer), c);
  }

  private static Collector feed(String response, int split, boolean head) {
    Collector c = new Collector();
    EmbeddedChannel ch = channel(c, true, head, 8192);
    byte[] b = response.getBytes(StandardCharsets.ISO_8859_1);
    ch.writeInbound(Unpooled.wrappedBuffer(b, 0, split));
    if (split < b.length) {
      ch.writeInbound(Unpooled.wrappedBuffer(b, split, b.length - split));
    }
    ch.finishAndReleaseAll();
    return c;
  }

  private static Collector feedBytewise(String response) {
    Collector c = new Collector();
    EmbeddedChannel ch = channel(c, true, false, 8192);
    for (byte x : response.getBytes(StandardCharsets.ISO_8859_1)) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {x}));
    }
    ch.finishAndReleaseAll();
    return c;
  }

  @Test
  void contentLengthBodyIsForwardedWhateverTheSplit() {
    String head =
        "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 11\r\nX-A: caf\u00e9\r\n\r\n";
    String response = head + "hello world";
    for (int split = 1; split <= response.length(); split++) {
      Collector c = feed(response, split, false);
      assertThat(c.heads)
          .as("split %d", split)
          .containsExactly(
              "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 11\r\nX-A: caf\u00e9\r\n"
                  + "via: 1.1 dsblocks\r\n\r\n");
      assertThat(c.body.toString()).isEqualTo("hello world");
      assertThat(c.payload).isEqualTo(11);
      assertThat(c.lastParts).isEqualTo(1);
      assertThat(c.partsAfterLast).isZero();
      assertThat(c.keepAlive).containsExactly(true);
      assertThat(c.decoded).isEmpty();
    }
    assertThat(feedBytewise(response).body.toString()).isEqualTo("hello world");
  }

  @Test
  void chunkedBodyWithExtensionsAndTrailersPassesUnchangedWhateverTheSplit() {
    String body =
        "5;name=val\r\nhello\r\n1A \r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n";
    String response = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    for (int split = 1; split <= response.length(); split++) {
      Collector c = feed(response, split, false);
      assertThat(c.heads)
          .as("split %d", split)
          .containsExactly(
              "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nvia: 1.1 dsblocks\r\n\r\n");
      assertThat(c.body.toString()).as("split %d", split).isEqualTo(body);
      assertThat(c.payload).isEqualTo(5 + 26);
      assertThat(c.lastParts).isEqualTo(1);
      assertThat(c.partsAfterLast).isZero();
      assertThat(c.malformed).isFalse();
    }
    Collector bytewise = feedBytewise(response);
    assertThat(bytewise.body.toString()).isEqualTo(body);
    assertThat(bytewise.lastParts).isEqualTo(1);
  }

  @Test
  void headAnd204And304ResponsesHaveNoBody() {
    Collector head = feed("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", 10, true);
    assertThat(head.heads).hasSize(1);
    assertThat(head.heads.get(0)).contains("Content-Length: 1234\r\n");
    assertThat(head.lastParts).isEqualTo(1);
    assertThat(head.payload).isZero();
    Collector chunkedHead = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 5, true);
    assertThat(chunkedHead.lastParts).isEqualTo(1);
    assertThat(chunkedHead.body.toString()).isEmpty();
    for (String s : new String[] {"204 No Content", "304 Not Modified"}) {
      Collector c = feed("HTTP/1.1 " + s + "\r\nETag: \"x\"\r\n\r\n", 3, false);
      assertThat(c.statuses).hasSize(1);
      assertThat(c.lastParts).isEqualTo(1);
      assertThat(c.decoded).isEmpty();
    }
  }

  @Test
  void hopByHopHeadersAreDroppedAndViaIsAppended() {
    String response =
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive, X-Secret\r\nKeep-Alive: timeout=5\r\n"
            + "X-Secret: s\r\nProxy-Connection: x\r\nTE: trailers\r\nTrailer: X\r\nUpgrade: h2c\r\n"
            + "Proxy-Authenticate: Basic\r\nVia: 1.1 a, 1.1 b\r\nVia: 1.0 c\r\nContent-Length: 0\r\n"
            + "X-Kept: yes\r\n\r\n";
    Collector c = feed(response, response.length(), false);
    assertThat(c.heads)
        .containsExactly(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Kept: yes\r\n"
                + "via: 1.1 a, 1.1 b, 1.0 c, 1.0 dsblocks\r\n\r\n");
    assertThat(c.keepAlive).containsExactly(true); // HTTP/1.0 with keep-alive
    Collector close =
        feed("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n", 7, false);
    assertThat(close.keepAlive).containsExactly(false);
    Collector old = feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 7, false);
    assertThat(old.keepAlive).containsExactly(false);
    // A Connection token may not remove framing headers.
    Collector framing =
        feed(
            "HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 2\r\n\r\nok",
            9,
            false);
    assertThat(framing.heads.get(0)).contains("Content-Length: 2\r\n");
    assertThat(framing.body.toString()).isEqualTo("ok");
  }

  @Test
  void closingTheClientConnectionIsAnnounced() {
    ResponseFramer framer = new ResponseFramer(8192);
    framer.configure(true, false);
    byte[] b = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    RawResponseHead h = framer.parse(b, b.length);
    ByteBuf out = h.encode(ByteBufAllocator.DEFAULT, VIA, true, 0);
    assertThat(out.toString(StandardCharsets.US_ASCII))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nvia: 1.1 dsblocks\r\nconnection: close\r\n\r\n");
    out.release();
  }

  /** Responses the raw path leaves to the decoder, with what the decoder must make of them. */
  @Test
  void responsesTheRawPathDoesNotFrameGoToTheDecoderIntact() {
    String[] fallbacks = {
      "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil close", // delimited by close
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", // interim
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", // coding list
      "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok", // obsolete folding
    };
    for (String response : fallbacks) {
      for (int split = 1; split <= response.length(); split += 7) {
        Collector c = feed(response, split, false);
        try {
          assertThat(c.heads).as(response).isEmpty();
          assertThat(c.decoded).as(response).isNotEmpty();
          HttpResponse first = (HttpResponse) c.decoded.get(0);
          assertThat(first.decoderResult().isSuccess()).as(response).isTrue();
          assertThat(c.decoded.get(c.decoded.size() - 1)).isInstanceOf(LastHttpContent.class);
        } finally {
          c.releaseDecoded();
        }
      }
    }
  }

  @Test
  void malformedStatusLineReachesTheDecoderAsAFailure() {
    for (String bad :
        new String[] {
          "HTTX/1.1 200 OK\r\n\r\n",
          "HTTP/1.1 2x0 OK\r\n\r\n",
          "garbage\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
          "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
          "HTTP/1.1 200 OK\nContent-Length: 2\n\nok" // bare LF: the decoder parses strictly too
        }) {
      Collector c = feed(bad, 3, false);
      try {
        assertThat(c.heads).isEmpty();
        assertThat(c.decoded).isNotEmpty();
        assertThat(((HttpResponse) c.decoded.get(0)).decoderResult().isFailure()).as(bad).isTrue();
      } finally {
        c.releaseDecoded();
      }
    }
  }

  @Test
  void headCutByTheBackendClosingReachesTheDecoderAsAFailure() {
    Collector c = new Collector();
    EmbeddedChannel ch = channel(c, true, false, 8192);
    ch.writeInbound(
        Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Le", StandardCharsets.US_ASCII));
    assertThat(c.decoded).isEmpty();
    assertThat(c.heads).isEmpty();
    ch.finishAndReleaseAll(); // the backend closes
    try {
      assertThat(c.decoded).isNotEmpty();
      assertThat(((HttpResponse) c.decoded.get(0)).decoderResult().isFailure()).isTrue();
    } finally {
      c.releaseDecoded();
    }
  }

  @Test
  void oversizedHeadReachesTheDecoderWhichRefusesIt() {
    Collector c = new Collector();
    EmbeddedChannel ch = channel(c, true, false, 256);
    StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
    while (head.length() < 400) {
      head.append("X-Filler: 0123456789012345678901234567890123456789\r\n");
    }
    ch.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
    ch.writeInbound(Unpooled.copiedBuffer("Content-Length: 0\r\n\r\n", StandardCharsets.US_ASCII));
    ch.finishAndReleaseAll();
    try {
      assertThat(c.heads).isEmpty();
      HttpResponse r = (HttpResponse) c.decoded.get(0);
      assertThat(r.decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
    } finally {
      c.releaseDecoded();
    }
  }

  @Test
  void brokenChunkFramingIsReportedAndClosesTheConnection() {
    for (String body : new String[] {"zz\r\n", "5\r\nhelloXX", "5\r\nhello\r\n;x\r\n"}) {
      Collector c = new Collector();
      EmbeddedChannel ch = channel(c, true, false, 8192);
      ch.writeInbound(
          Unpooled.copiedBuffer(
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
              StandardCharsets.US_ASCII));
      assertThat(c.malformed).as(body).isTrue();
      assertThat(c.lastParts).isZero();
      assertThat(ch.isActive()).isFalse();
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void bytesAfterACompleteResponseCloseTheConnection() {
    Collector c = new Collector();
    EmbeddedChannel ch = channel(c, true, false, 8192);
    ch.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n",
            StandardCharsets.US_ASCII));
    assertThat(c.body.toString()).isEqualTo("ok");
    assertThat(c.lastParts).isEqualTo(1);
    assertThat(ch.isActive()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void keepAliveConnectionCarriesResponsesInBothModesOneAfterAnother() {
    Collector c = new Collector();
    ResponseFramer framer = new ResponseFramer(8192);
    EmbeddedChannel ch =
        new EmbeddedChannel(framer, new FillResponseDecoder(new HttpDecoderConfig(), framer), c);
    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    framer.configure(true, false);
    ch.writeInbound(Unpooled.copiedBuffer(ok, StandardCharsets.US_ASCII));
    framer.configure(false, false); // e.g. a cache fill: decoded objects
    ch.writeInbound(Unpooled.copiedBuffer(ok, StandardCharsets.US_ASCII));
    framer.configure(true, false);
    ch.writeInbound(Unpooled.copiedBuffer(ok, StandardCharsets.US_ASCII));
    try {
      assertThat(c.heads).hasSize(2);
      assertThat(c.body.toString()).isEqualTo("okok");
      assertThat(c.decoded).hasSize(2);
      assertThat(c.decoded.get(0)).isInstanceOf(HttpResponse.class);
      assertThat(((HttpContent) c.decoded.get(1)).content().toString(StandardCharsets.US_ASCII))
          .isEqualTo("ok");
      assertThat(ch.isActive()).isTrue();
    } finally {
      c.releaseDecoded();
      ch.finishAndReleaseAll();
    }
  }
}
