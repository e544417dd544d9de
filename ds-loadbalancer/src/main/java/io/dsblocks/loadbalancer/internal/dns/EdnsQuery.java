package io.dsblocks.loadbalancer.internal.dns;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The EDNS(0) pseudo-record of a query (RFC 6891) and its Client Subnet option (RFC 7871).
 *
 * <p>Netty decodes OPT as a raw record whose class field is the requester's UDP payload size and
 * whose TTL packs the extended RCODE, version and flags; the options stay as raw bytes, which are
 * parsed here.
 *
 * <p>Thread-safety: immutable after parsing.
 */
final class EdnsQuery {
  static final int OPTION_CLIENT_SUBNET = 8;
  static final int FAMILY_IPV4 = 1;
  static final int FAMILY_IPV6 = 2;

  /** A query that breaks EDNS rules; answered with FORMERR. No stack trace: it is routine input. */
  static final class MalformedEdnsException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedEdnsException(String message) {
      super(message, null, false, false);
    }
  }

  final int payloadSize;
  final int version;

  /** Client Subnet: family, or 0 when the option is absent. */
  final int ecsFamily;

  final int ecsSourcePrefix;

  /** The address bytes exactly as sent (only the prefix's whole bytes), echoed back verbatim. */
  final byte[] ecsAddressBytes;

  /** The address padded to full length, for geolocation; null without the option. */
  final InetAddress ecsAddress;

  private EdnsQuery(
      int payloadSize,
      int version,
      int ecsFamily,
      int ecsSourcePrefix,
      byte[] ecsAddressBytes,
      InetAddress ecsAddress) {
    this.payloadSize = payloadSize;
    this.version = version;
    this.ecsFamily = ecsFamily;
    this.ecsSourcePrefix = ecsSourcePrefix;
    this.ecsAddressBytes = ecsAddressBytes;
    this.ecsAddress = ecsAddress;
  }

  boolean hasClientSubnet() {
    return ecsFamily != 0;
  }

  /**
   * Parses the OPT record of a query.
   *
   * @param query the query
   * @return the EDNS data, or null when the query has no OPT record
   * @throws MalformedEdnsException on a second OPT record or a malformed option
   */
  static EdnsQuery parse(DnsQuery query) throws MalformedEdnsException {
    DnsRawRecord opt = null;
    int additional = query.count(DnsSection.ADDITIONAL);
    for (int i = 0; i < additional; i++) {
      DnsRecord r = query.recordAt(DnsSection.ADDITIONAL, i);
      if (r.type() == DnsRecordType.OPT) {
        if (opt != null) {
          throw new MalformedEdnsException("more than one OPT record (RFC 6891 section 6.1.1)");
        }
        if (!(r instanceof DnsRawRecord)) {
          throw new MalformedEdnsException("OPT record not decoded as raw data");
        }
        opt = (DnsRawRecord) r;
      }
    }
    if (opt == null) {
      return null;
    }
    int payloadSize = opt.dnsClass() & 0xFFFF;
    int version = (int) ((opt.timeToLive() >>> 16) & 0xFF);
    ByteBuf options = opt.content();
    int index = options.readerIndex();
    int end = options.writerIndex();
    int family = 0;
    int sourcePrefix = 0;
    byte[] sent = null;
    InetAddress address = null;
    while (index < end) {
      if (end - index < 4) {
        throw new MalformedEdnsException("truncated EDNS option header");
      }
      int code = options.getUnsignedShort(index);
      int length = options.getUnsignedShort(index + 2);
      index += 4;
      if (end - index < length) {
        throw new MalformedEdnsException("EDNS option " + code + " runs past the OPT record");
      }
      if (code == OPTION_CLIENT_SUBNET) {
        if (family != 0) {
          throw new MalformedEdnsException("more than one Client Subnet option");
        }
        if (length < 4) {
          throw new MalformedEdnsException("Client Subnet option shorter than 4 bytes");
        }
        family = options.getUnsignedShort(index);
        sourcePrefix = options.getUnsignedByte(index + 2);
        int scopePrefix = options.getUnsignedByte(index + 3);
        int fullLength;
        if (family == FAMILY_IPV4) {
          fullLength = 4;
        } else if (family == FAMILY_IPV6) {
          fullLength = 16;
        } else {
          throw new MalformedEdnsException("Client Subnet family " + family + " is not 1 or 2");
        }
        if (sourcePrefix > fullLength * 8) {
          throw new MalformedEdnsException("Client Subnet prefix " + sourcePrefix + " too long");
        }
        if (scopePrefix != 0) {
          // RFC 7871 section 7.1.1: SCOPE PREFIX-LENGTH must be 0 in queries.
          throw new MalformedEdnsException("Client Subnet scope prefix must be 0 in a query");
        }
        int addressLength = length - 4;
        if (addressLength != (sourcePrefix + 7) / 8) {
          throw new MalformedEdnsException(
              "Client Subnet address has " + addressLength + " bytes for /" + sourcePrefix);
        }
        sent = new byte[addressLength];
        options.getBytes(index + 4, sent);
        if (addressLength > 0 && sourcePrefix % 8 != 0) {
          int hostBits = 0xFF >>> (sourcePrefix % 8);
          if ((sent[addressLength - 1] & hostBits) != 0) {
            // RFC 7871 section 6: bits beyond the source prefix must be zero.
            throw new MalformedEdnsException("Client Subnet address has bits beyond its prefix");
          }
        }
        byte[] full = new byte[fullLength];
        System.arraycopy(sent, 0, full, 0, addressLength);
        try {
          address = InetAddress.getByAddress(full);
        } catch (UnknownHostException e) {
          throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
      }
      index += length;
    }
    return new EdnsQuery(payloadSize, version, family, sourcePrefix, sent, address);
  }
}
