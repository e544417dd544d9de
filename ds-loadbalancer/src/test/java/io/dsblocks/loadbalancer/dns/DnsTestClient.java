package io.dsblocks.loadbalancer.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;
import io.netty.util.NetUtil;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw DNS client for tests, on Netty's query encoders and response decoders (UDP and TCP), plus a
 * plain-socket path for malformed bytes. Responses are copied into plain {@link Reply} values and
 * released at once, so tests never hold Netty buffers.
 */
final class DnsTestClient implements AutoCloseable {
  private static final int TIMEOUT_SECONDS = 10;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final InetSocketAddress server;
  private final AtomicInteger ids = new AtomicInteger(100);

  DnsTestClient(InetSocketAddress server) {
    this.server = server;
  }

  /** What to ask. */
  static final class Query {
    final String name;
    final int type;
    int dnsClass = 1;
    int opCode = 0;
    boolean question = true;
    int ednsPayload = -1; // -1: no OPT record
    int ednsVersion;
    byte[] rawOptions; // OPT options verbatim

    private Query(String name, int type) {
      this.name = name;
      this.type = type;
    }

    static Query of(String name, RecordType type) {
      return new Query(name, type.code());
    }

    static Query of(String name, int type) {
      return new Query(name, type);
    }

    Query edns(int payloadSize) {
      this.ednsPayload = payloadSize;
      return this;
    }

    Query ednsVersion(int version) {
      if (ednsPayload < 0) {
        ednsPayload = 1232;
      }
      this.ednsVersion = version;
      return this;
    }

    /** Adds an EDNS Client Subnet option (RFC 7871) for {@code address/prefix}. */
    Query clientSubnet(String address, int prefix) {
      byte[] full = NetUtil.createByteArrayFromIpAddressString(address);
      int bytes = (prefix + 7) / 8;
      // java.nio on purpose: no Netty buffer to release (the leak guard watches those).
      ByteBuffer b = ByteBuffer.allocate(8 + bytes);
      b.putShort((short) 8)
          .putShort((short) (4 + bytes))
          .putShort((short) (full.length == 4 ? 1 : 2));
      b.put((byte) prefix).put((byte) 0).put(full, 0, bytes);
      return options(b.array());
    }

    Query options(byte[] options) {
      if (ednsPayload < 0) {
        ednsPayload = 1232;
      }
      this.rawOptions = options;
      return this;
    }

    Query dnsClass(int dnsClass) {
      this.dnsClass = dnsClass;
      return this;
    }

    Query opCode(int opCode) {
      this.opCode = opCode;
      return this;
    }

    Query noQuestion() {
      this.question = false;
      return this;
    }

    void fill(DnsQuery q) {
      q.setRecursionDesired(true);
      if (question) {
        q.addRecord(
            DnsSection.QUESTION,
            new DefaultDnsQuestion(name, DnsRecordType.valueOf(type), dnsClass));
      }
      if (ednsPayload >= 0) {
        ByteBuf content =
            rawOptions == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(rawOptions);
        q.addRecord(
            DnsSection.ADDITIONAL,
            new DefaultDnsRawRecord(
                "", DnsRecordType.OPT, ednsPayload, ((long) ednsVersion) << 16, content));
      }
    }
  }

  /** One resource record of a reply, with its data in presentation form. */
  record Rr(String name, int type, long ttl, int dnsClass, String data) {}

  /** A response copied out of Netty's buffers. */
  record Reply(
      int id,
      int rcode,
      boolean aa,
      boolean tc,
      boolean rd,
      List<String> questions,
      List<Rr> answers,
      List<Rr> authority,
      List<Rr> additional) {

    List<String> answerData() {
      List<String> out = new ArrayList<>();
      for (Rr rr : answers) {
        out.add(rr.data());
      }
      return out;
    }

    /** The OPT pseudo-record, or null. */
    Rr opt() {
      for (Rr rr : additional) {
        if (rr.type() == DnsRecordType.OPT.intValue()) {
          return rr;
        }
      }
      return null;
    }
  }

  Reply udp(Query q) throws Exception {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(
                new ChannelInitializer<DatagramChannel>() {
                  @Override
                  protected void initChannel(DatagramChannel c) {
                    c.pipeline()
                        .addLast(new DatagramDnsQueryEncoder())
                        .addLast(new DatagramDnsResponseDecoder())
                        .addLast(new Collector(reply));
                  }
                })
            .bind(server.getAddress(), 0)
            .sync()
            .channel();
    try {
      DatagramDnsQuery query =
          new DatagramDnsQuery(null, server, ids.incrementAndGet(), DnsOpCode.valueOf(q.opCode));
      q.fill(query);
      ch.writeAndFlush(query).sync(); // the encoder releases the query
      return reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      ch.close().sync();
    }
  }

  Reply tcp(Query q) throws Exception {
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    c.pipeline()
                        .addLast(new TcpDnsQueryEncoder())
                        .addLast(new TcpDnsResponseDecoder())
                        .addLast(new Collector(reply));
                  }
                })
            .connect(server)
            .sync()
            .channel();
    try {
      DefaultDnsQuery query =
          new DefaultDnsQuery(ids.incrementAndGet(), DnsOpCode.valueOf(q.opCode));
      q.fill(query);
      ch.writeAndFlush(query).sync();
      return reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      ch.close().sync();
    }
  }

  /** Sends arbitrary bytes as one UDP datagram (no reply expected). */
  void sendRawUdp(byte[] packet) throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0, server.getAddress())) {
      socket.send(new DatagramPacket(packet, packet.length, server));
    }
  }

  /**
   * Sends arbitrary bytes as one UDP datagram and returns the reply datagram's bytes, for queries
   * Netty's own encoder refuses to produce.
   */
  byte[] rawUdpExchange(byte[] packet) throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0, server.getAddress())) {
      socket.setSoTimeout(TIMEOUT_SECONDS * 1000);
      socket.send(new DatagramPacket(packet, packet.length, server));
      DatagramPacket reply = new DatagramPacket(new byte[4096], 4096);
      socket.receive(reply);
      return java.util.Arrays.copyOf(reply.getData(), reply.getLength());
    }
  }

  /**
   * Sends arbitrary bytes over a fresh TCP connection and reads until the server closes it.
   *
   * @return the bytes received before the close (-1 marker not included)
   */
  byte[] sendRawTcpUntilClosed(byte[] bytes) throws Exception {
    try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
      socket.setSoTimeout(TIMEOUT_SECONDS * 1000);
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      return in.readAllBytes(); // returns once the server closes; times out otherwise
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Collector extends SimpleChannelInboundHandler<DnsResponse> {
    private final CompletableFuture<Reply> reply;

    Collector(CompletableFuture<Reply> reply) {
      super(DnsResponse.class);
      this.reply = reply;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsResponse msg) {
      // Copy everything out; SimpleChannelInboundHandler releases msg after this returns.
      List<String> questions = new ArrayList<>();
      for (int i = 0; i < msg.count(DnsSection.QUESTION); i++) {
        DnsRecord q = msg.recordAt(DnsSection.QUESTION, i);
        questions.add(q.name() + " " + q.type().intValue());
      }
      reply.complete(
          new Reply(
              msg.id(),
              msg.code().intValue(),
              msg.isAuthoritativeAnswer(),
              msg.isTruncated(),
              msg.isRecursionDesired(),
              questions,
              section(msg, DnsSection.ANSWER),
              section(msg, DnsSection.AUTHORITY),
              section(msg, DnsSection.ADDITIONAL)));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      reply.completeExceptionally(cause);
      ctx.close();
    }
  }

  private static List<Rr> section(DnsResponse msg, DnsSection section) {
    List<Rr> out = new ArrayList<>();
    for (int i = 0; i < msg.count(section); i++) {
      DnsRecord r = msg.recordAt(section, i);
      String data = "";
      if (r instanceof DnsRawRecord) {
        ByteBuf c = ((DnsRawRecord) r).content();
        int type = r.type().intValue();
        if (type == 1 || type == 28) {
          byte[] b = new byte[c.readableBytes()];
          c.getBytes(c.readerIndex(), b);
          try {
            data = NetUtil.toAddressString(InetAddress.getByAddress(b));
          } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
          }
        } else if (type == 5) {
          data = readName(c.duplicate());
        } else if (type == 6) {
          ByteBuf d = c.duplicate();
          String mname = readName(d);
          String rname = readName(d);
          data =
              mname
                  + " "
                  + rname
                  + " "
                  + d.readUnsignedInt()
                  + " "
                  + d.readUnsignedInt()
                  + " "
                  + d.readUnsignedInt()
                  + " "
                  + d.readUnsignedInt()
                  + " "
                  + d.readUnsignedInt();
        } else {
          data = io.netty.buffer.ByteBufUtil.hexDump(c);
        }
      }
      out.add(new Rr(r.name(), r.type().intValue(), r.timeToLive(), r.dnsClass(), data));
    }
    return out;
  }

  /** Reads an uncompressed (or decompressed) wire name. */
  private static String readName(ByteBuf b) {
    StringBuilder sb = new StringBuilder();
    int len;
    while ((len = b.readUnsignedByte()) != 0) {
      byte[] label = new byte[len];
      b.readBytes(label);
      sb.append(new String(label, java.nio.charset.StandardCharsets.US_ASCII)).append('.');
    }
    return sb.length() == 0 ? "." : sb.toString();
  }
}
