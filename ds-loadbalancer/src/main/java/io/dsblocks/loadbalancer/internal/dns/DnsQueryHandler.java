package io.dsblocks.loadbalancer.internal.dns;

import io.dsblocks.loadbalancer.dns.ClientLocation;
import io.dsblocks.loadbalancer.dns.DnsQueryListener;
import io.dsblocks.loadbalancer.dns.DnsStatus;
import io.dsblocks.loadbalancer.dns.GlobalRouter;
import io.dsblocks.loadbalancer.dns.RecordType;
import io.dsblocks.loadbalancer.dns.RecordValue;
import io.dsblocks.loadbalancer.dns.RoutedRecord;
import io.dsblocks.loadbalancer.dns.RoutingOutcome;
import io.dsblocks.loadbalancer.dns.RoutingResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Turns decoded DNS queries into authoritative responses. Shared by the UDP channel and every TCP
 * connection: it holds no per-channel state.
 *
 * <p>Buffer ownership: the query is released by {@link SimpleChannelInboundHandler} after {@link
 * #channelRead0}. The response owns every record added to it (records with content hold a buffer
 * allocated here) and is released by the encoder after encoding, or here if building it fails
 * before it is written.
 *
 * <p>Truncation: Netty's record encoder writes names uncompressed, so the exact encoded size of
 * each record is known before it is added ({@link DnsNames#wireLength}). Records are added while
 * the message stays within the transport's limit (512 bytes for plain UDP, the EDNS payload size
 * capped by the responder's maximum, 65535 for TCP); if any is left out the TC bit tells the client
 * to retry over TCP, where the full answer fits.
 *
 * <p>Thread-safety: thread-safe; runs on any of the responder's I/O threads.
 */
@ChannelHandler.Sharable
public final class DnsQueryHandler extends SimpleChannelInboundHandler<DnsQuery> {
  private static final int HEADER_BYTES = 12;
  private static final int RECORD_FIXED_BYTES = 10; // type, class, TTL, RDLENGTH
  private static final int CLASS_IN = 1;
  private static final int MIN_UDP_PAYLOAD = 512; // RFC 1035 section 4.2.1
  private static final int MAX_TCP_MESSAGE = 65535; // two-byte length prefix
  private static final int QTYPE_IXFR = 251;
  private static final int QTYPE_AXFR = 252;
  private static final int QTYPE_ANY = 255;
  private static final int EXTENDED_RCODE_BADVERS = 1; // upper 8 bits of rcode 16
  // SOA timers are irrelevant without zone transfers but must be sane for tools that read them.
  private static final int SOA_REFRESH = 3600;
  private static final int SOA_RETRY = 600;
  private static final int SOA_EXPIRE = 86400;

  private final GlobalRouter router;
  private final int maxUdpPayload;
  private final DnsQueryListener listener;
  private final ResponderCounters counters;

  /**
   * Creates the handler.
   *
   * @param router the routing engine answering queries
   * @param maxUdpPayload the largest UDP response sent to EDNS clients (and advertised in OPT)
   * @param listener the event listener
   * @param counters the counters to update
   */
  public DnsQueryHandler(
      GlobalRouter router,
      int maxUdpPayload,
      DnsQueryListener listener,
      ResponderCounters counters) {
    super(DnsQuery.class);
    this.router = router;
    this.maxUdpPayload = maxUdpPayload;
    this.listener = listener;
    this.counters = counters;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
    boolean tcp = !(query instanceof DatagramDnsQuery);
    counters.query(tcp);
    InetSocketAddress client;
    DnsResponse response;
    if (tcp) {
      client = (InetSocketAddress) ctx.channel().remoteAddress();
      response = new DefaultDnsResponse(query.id(), query.opCode());
    } else {
      DatagramDnsQuery datagram = (DatagramDnsQuery) query;
      client = datagram.sender();
      response = new DatagramDnsResponse(datagram.recipient(), client, query.id(), query.opCode());
    }
    DnsStatus status;
    try {
      status = fill(ctx.alloc(), query, client, tcp, response);
    } catch (RuntimeException | Error e) {
      // Not written yet, so still ours to release (with every record already added to it).
      response.release();
      throw e;
    }
    int answers = response.count(DnsSection.ANSWER);
    boolean truncated = response.isTruncated();
    // Counted and reported before the write, so whoever has the answer also sees it in the stats
    // and the listener (counting after the write let a fast client look before the count).
    counters.response(status, truncated);
    DnsQuestion question =
        query.count(DnsSection.QUESTION) == 1 ? query.recordAt(DnsSection.QUESTION) : null;
    notifyResponse(question, status, answers, tcp, truncated);
    // From here the transport owns the response: the encoder releases it after encoding, and a
    // failed write releases it too.
    ctx.writeAndFlush(response);
  }

  private void notifyResponse(
      DnsQuestion question, DnsStatus status, int answers, boolean tcp, boolean truncated) {
    if (listener == DnsQueryListener.NONE) {
      return;
    }
    try {
      listener.onResponse(
          question == null ? "" : question.name(),
          question == null ? 0 : question.type().intValue(),
          status,
          answers,
          tcp,
          truncated);
    } catch (RuntimeException ignored) {
      // A listener must never break DNS service (documented on DnsQueryListener).
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    boolean tcp = !(ctx.channel() instanceof DatagramChannel);
    if (cause instanceof DecoderException) {
      counters.malformed();
      if (listener != DnsQueryListener.NONE) {
        try {
          InetSocketAddress sender = tcp ? (InetSocketAddress) ctx.channel().remoteAddress() : null;
          listener.onMalformed(sender, tcp, cause.getCause() != null ? cause.getCause() : cause);
        } catch (RuntimeException ignored) {
          // See notifyResponse.
        }
      }
    } else {
      counters.internalError();
    }
    if (tcp) {
      // The stream may be out of sync with its length prefixes; the client reconnects.
      ctx.close();
    }
    // UDP: the bad datagram is already released by the decoder; keep serving the others.
  }

  private DnsStatus fill(
      ByteBufAllocator alloc,
      DnsQuery query,
      InetSocketAddress client,
      boolean tcp,
      DnsResponse response) {
    response.setRecursionDesired(query.isRecursionDesired());
    DnsQuestion question =
        query.count(DnsSection.QUESTION) == 1 ? query.recordAt(DnsSection.QUESTION) : null;
    if (question != null && !DnsNames.isEncodable(question.name())) {
      response.setCode(DnsResponseCode.FORMERR);
      return DnsStatus.FORMERR;
    }
    if (question != null) {
      // Questions are not reference counted, so sharing the query's instance is safe and keeps
      // the name's case exactly as the client sent it (some resolvers check that, RFC 0x20).
      response.addRecord(DnsSection.QUESTION, question);
    }
    if (query.opCode().byteValue() != 0) {
      response.setCode(DnsResponseCode.NOTIMP);
      return DnsStatus.NOTIMP;
    }
    if (question == null) {
      response.setCode(DnsResponseCode.FORMERR);
      return DnsStatus.FORMERR;
    }
    EdnsQuery edns;
    try {
      edns = EdnsQuery.parse(query);
    } catch (EdnsQuery.MalformedEdnsException e) {
      response.setCode(DnsResponseCode.FORMERR);
      return DnsStatus.FORMERR;
    }
    if (edns != null && edns.version != 0) {
      // RFC 6891 section 6.1.3: BADVERS (16) is carried in the OPT's extended RCODE.
      addOpt(alloc, response, edns, EXTENDED_RCODE_BADVERS, false);
      return DnsStatus.BADVERS;
    }
    int qtype = question.type().intValue();
    if (question.dnsClass() != CLASS_IN) {
      return error(alloc, response, edns, DnsResponseCode.REFUSED, DnsStatus.REFUSED);
    }
    if (qtype == QTYPE_ANY || qtype == QTYPE_AXFR || qtype == QTYPE_IXFR) {
      return error(alloc, response, edns, DnsResponseCode.NOTIMP, DnsStatus.NOTIMP);
    }
    RoutingResult result;
    try {
      result = router.route(question.name(), qtype, locate(edns, client));
    } catch (RuntimeException e) {
      // A failing health, geo or latency source: tell the client to try another server.
      return error(alloc, response, edns, DnsResponseCode.SERVFAIL, DnsStatus.SERVFAIL);
    }
    if (result.outcome() == RoutingOutcome.REFUSED) {
      return error(alloc, response, edns, DnsResponseCode.REFUSED, DnsStatus.REFUSED);
    }
    response.setAuthoritativeAnswer(true);
    int limit =
        tcp
            ? MAX_TCP_MESSAGE
            : edns == null
                ? MIN_UDP_PAYLOAD
                : Math.max(MIN_UDP_PAYLOAD, Math.min(edns.payloadSize, maxUdpPayload));
    boolean ecsScoped = result.locationDependent();
    int size =
        HEADER_BYTES
            + DnsNames.wireLength(question.name())
            + 4
            + (edns == null ? 0 : optLength(edns));
    String queryName = question.name();
    String canonicalQuery = DnsNames.canonicalQueryName(queryName);
    boolean truncated = false;
    List<RoutedRecord> records = result.records();
    for (int i = 0; i < records.size(); i++) {
      RoutedRecord record = records.get(i);
      // The first owner is spelled as the client asked; chained names use our canonical form.
      String owner = record.name().equals(canonicalQuery) ? queryName : record.name() + '.';
      int recordSize = DnsNames.wireLength(owner) + RECORD_FIXED_BYTES + rdataLength(record);
      if (size + recordSize > limit) {
        truncated = true;
        break;
      }
      size += recordSize;
      addAnswer(alloc, response, owner, record);
    }
    DnsStatus status;
    switch (result.outcome()) {
      case ANSWER:
        status = DnsStatus.NOERROR;
        break;
      case NXDOMAIN:
        response.setCode(DnsResponseCode.NXDOMAIN);
        status = DnsStatus.NXDOMAIN;
        break;
      default:
        status = DnsStatus.NODATA;
        break;
    }
    if (status != DnsStatus.NOERROR && result.zone() != null && !truncated) {
      // Negative answers carry the zone's SOA so resolvers know how long to cache them (RFC
      // 2308); an SOA query at the apex gets it as the answer instead.
      boolean soaQuery =
          qtype == DnsRecordType.SOA.intValue()
              && canonicalQuery.equals(result.zone())
              && status == DnsStatus.NODATA;
      String owner = soaQuery ? queryName : result.zone() + '.';
      int soaSize = DnsNames.wireLength(owner) + RECORD_FIXED_BYTES + soaRdataLength(result);
      if (size + soaSize > limit) {
        truncated = true;
      } else {
        size += soaSize;
        addSoa(alloc, response, soaQuery ? DnsSection.ANSWER : DnsSection.AUTHORITY, owner, result);
        if (soaQuery) {
          status = DnsStatus.NOERROR;
        }
      }
    }
    response.setTruncated(truncated);
    if (edns != null) {
      addOpt(alloc, response, edns, 0, ecsScoped);
    }
    return status;
  }

  private ClientLocation locate(EdnsQuery edns, InetSocketAddress client) {
    if (edns != null && edns.hasClientSubnet()) {
      // The query comes from a resolver acting for a client elsewhere: route for that client.
      // A /0 subnet means "do not use my address" (RFC 7871 section 7.1.2).
      return edns.ecsSourcePrefix == 0 ? ClientLocation.UNKNOWN : router.locate(edns.ecsAddress);
    }
    return router.locate(client.getAddress());
  }

  private DnsStatus error(
      ByteBufAllocator alloc,
      DnsResponse response,
      EdnsQuery edns,
      DnsResponseCode code,
      DnsStatus status) {
    response.setCode(code);
    if (edns != null) {
      addOpt(alloc, response, edns, 0, false);
    }
    return status;
  }

  private static int rdataLength(RoutedRecord record) {
    switch (record.type()) {
      case A:
        return 4;
      case AAAA:
        return 16;
      default:
        return DnsNames.wireLength(record.value().value());
    }
  }

  private static void addAnswer(
      ByteBufAllocator alloc, DnsResponse response, String owner, RoutedRecord record) {
    RecordType type = record.type();
    RecordValue value = record.value();
    ByteBuf rdata = alloc.buffer(rdataLength(record));
    try {
      DnsRecordType wireType;
      if (type == RecordType.CNAME) {
        DnsNames.writeName(value.value(), rdata);
        wireType = DnsRecordType.CNAME;
      } else {
        rdata.writeBytes(value.address().orElseThrow().getAddress());
        wireType = type == RecordType.A ? DnsRecordType.A : DnsRecordType.AAAA;
      }
      addRaw(response, DnsSection.ANSWER, owner, wireType, CLASS_IN, record.ttlSeconds(), rdata);
    } catch (RuntimeException | Error e) {
      rdata.release();
      throw e;
    }
  }

  private static String soaRname(String zone) {
    // hostmaster.<zone>, unless that would exceed the 253-character name limit.
    return zone.length() + 11 <= DnsNames.MAX_NAME_LENGTH ? "hostmaster." + zone : zone;
  }

  private static int soaRdataLength(RoutingResult result) {
    String zone = result.zone();
    return DnsNames.wireLength(zone) + DnsNames.wireLength(soaRname(zone)) + 20;
  }

  private static void addSoa(
      ByteBufAllocator alloc,
      DnsResponse response,
      DnsSection section,
      String owner,
      RoutingResult result) {
    String zone = result.zone();
    long ttl = result.negativeTtlSeconds();
    ByteBuf rdata = alloc.buffer(soaRdataLength(result));
    try {
      DnsNames.writeName(zone, rdata); // MNAME: we are the zone's primary
      DnsNames.writeName(soaRname(zone), rdata);
      rdata.writeInt((int) result.soaSerial());
      rdata.writeInt(SOA_REFRESH);
      rdata.writeInt(SOA_RETRY);
      rdata.writeInt(SOA_EXPIRE);
      // MINIMUM is the negative-caching TTL (RFC 2308 section 4), as is the record's own TTL.
      rdata.writeInt((int) ttl);
      addRaw(response, section, owner, DnsRecordType.SOA, CLASS_IN, ttl, rdata);
    } catch (RuntimeException | Error e) {
      rdata.release();
      throw e;
    }
  }

  private static int optLength(EdnsQuery edns) {
    int options = edns.hasClientSubnet() ? 4 + 4 + edns.ecsAddressBytes.length : 0;
    return 1 + RECORD_FIXED_BYTES + options;
  }

  private void addOpt(
      ByteBufAllocator alloc,
      DnsResponse response,
      EdnsQuery edns,
      int extendedRcode,
      boolean ecsScoped) {
    int optionsLength = optLength(edns) - 1 - RECORD_FIXED_BYTES;
    ByteBuf options = alloc.buffer(optionsLength);
    try {
      if (edns.hasClientSubnet()) {
        // Echo the client's subnet; the scope says which clients the answer is valid for: the
        // same subnet when location chose it, everyone (0) otherwise (RFC 7871 section 7.2.1).
        options.writeShort(EdnsQuery.OPTION_CLIENT_SUBNET);
        options.writeShort(4 + edns.ecsAddressBytes.length);
        options.writeShort(edns.ecsFamily);
        options.writeByte(edns.ecsSourcePrefix);
        options.writeByte(ecsScoped ? edns.ecsSourcePrefix : 0);
        options.writeBytes(edns.ecsAddressBytes);
      }
      // OPT: root owner, CLASS = our UDP payload size, TTL = extended RCODE | version 0 | flags.
      long ttl = ((long) extendedRcode) << 24;
      addRaw(response, DnsSection.ADDITIONAL, "", DnsRecordType.OPT, maxUdpPayload, ttl, options);
    } catch (RuntimeException | Error e) {
      options.release();
      throw e;
    }
  }

  /**
   * Wraps content in a raw record and hands both to the response. Once {@code addRecord} returns,
   * releasing the response releases the content; callers release the content only if this throws.
   */
  private static void addRaw(
      DnsResponse response,
      DnsSection section,
      String owner,
      DnsRecordType type,
      int dnsClass,
      long ttl,
      ByteBuf content) {
    response.addRecord(section, new DefaultDnsRawRecord(owner, type, dnsClass, ttl, content));
  }
}
