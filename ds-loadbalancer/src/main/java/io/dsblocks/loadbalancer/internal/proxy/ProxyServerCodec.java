package io.dsblocks.loadbalancer.internal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a client connection: what Netty's {@code HttpServerCodec} does (request
 * decoder, response encoder, the queue of request methods that tells the encoder which responses
 * answer a HEAD, a pipelining depth limit, closing after the response to a request that had both
 * {@code Transfer-Encoding} and {@code Content-Length}), plus a way around the encoder: responses
 * forwarded on the raw path are already HTTP/1.1 bytes ({@link #writeRaw}), and {@link
 * #rawResponseStarted} keeps the method queue in step for them.
 *
 * <p>Not thread-safe: one instance per client channel, used on its event loop.
 */
final class ProxyServerCodec
    extends CombinedChannelDuplexHandler<ProxyServerCodec.Decoder, ProxyServerCodec.Encoder> {
  private static final int MAX_PIPELINE_DEPTH = 128; // as HttpServerCodec's default

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
  private boolean mustCloseAfterResponse;
  private ChannelHandlerContext ctx;

  ProxyServerCodec(HttpDecoderConfig config) {
    init(new Decoder(config), new Encoder());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    super.handlerAdded(ctx);
  }

  /** A raw response head is about to be written: it answers the oldest request. */
  void rawResponseStarted() {
    methods.poll();
  }

  /**
   * Writes bytes of a raw response past the encoder.
   *
   * @param buf the bytes; released by the write
   * @param last whether they end the response (then flushed, and the future returned)
   * @return the write's future if {@code last}, otherwise null (a void promise is used)
   */
  ChannelFuture writeRaw(ByteBuf buf, boolean last) {
    if (!last) {
      ctx.write(buf, ctx.voidPromise());
      return null;
    }
    ChannelFuture f = ctx.writeAndFlush(buf);
    if (mustCloseAfterResponse) {
      mustCloseAfterResponse = false;
      f.addListener(ChannelFutureListener.CLOSE);
    }
    return f;
  }

  /** Request decoder recording each request's method, bounded in how many may wait. */
  final class Decoder extends HttpRequestDecoder {
    private boolean discard;

    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      if (discard) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      int oldSize = out.size();
      super.decode(ctx, buffer, out);
      int size = out.size();
      for (int i = oldSize; i < size; i++) {
        Object obj = out.get(i);
        if (obj instanceof HttpRequest) {
          if (methods.size() >= MAX_PIPELINE_DEPTH) {
            // Too many requests waiting for answers: drop everything, close after the first answer.
            mustCloseAfterResponse = true;
            discard = true;
            for (int j = i; j < size; j++) {
              ReferenceCountUtil.release(out.get(j));
            }
            out.subList(i, size).clear(); // requests before it still go on
            throw new IllegalStateException("maxPipelineDepth exceeded: " + MAX_PIPELINE_DEPTH);
          }
          methods.add(((HttpRequest) obj).method());
        }
      }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      mustCloseAfterResponse = true;
    }
  }

  /** Response encoder that knows which responses answer a HEAD (or CONNECT) request. */
  final class Encoder extends HttpResponseEncoder {
    private HttpMethod method;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      if (mustCloseAfterResponse && msg instanceof LastHttpContent) {
        mustCloseAfterResponse = false;
        promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
      }
      super.write(ctx, msg, promise);
    }

    @Override
    protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
      if (!isAlwaysEmpty
          && HttpMethod.CONNECT.equals(method)
          && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
        msg.headers().remove(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING);
        return;
      }
      super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        return super.isContentAlwaysEmpty(msg); // interim responses do not answer a request
      }
      method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
