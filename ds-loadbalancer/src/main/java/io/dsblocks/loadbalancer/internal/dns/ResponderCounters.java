package io.dsblocks.loadbalancer.internal.dns;

import io.dsblocks.loadbalancer.dns.DnsResponderStats;
import io.dsblocks.loadbalancer.dns.DnsStatus;
import java.util.concurrent.atomic.LongAdder;

/**
 * The responder's counters. {@link LongAdder}s because every I/O thread increments them on every
 * query while {@link #snapshot()} is rare: adders keep the hot path free of CAS contention.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class ResponderCounters {
  private final LongAdder udpQueries = new LongAdder();
  private final LongAdder tcpQueries = new LongAdder();
  private final LongAdder[] byStatus = new LongAdder[DnsStatus.values().length];
  private final LongAdder truncated = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LongAdder internalErrors = new LongAdder();

  /** Creates zeroed counters. */
  public ResponderCounters() {
    for (int i = 0; i < byStatus.length; i++) {
      byStatus[i] = new LongAdder();
    }
  }

  void query(boolean tcp) {
    (tcp ? tcpQueries : udpQueries).increment();
  }

  void response(DnsStatus status, boolean wasTruncated) {
    byStatus[status.ordinal()].increment();
    if (wasTruncated) {
      truncated.increment();
    }
  }

  void malformed() {
    malformed.increment();
  }

  void internalError() {
    internalErrors.increment();
  }

  private long status(DnsStatus s) {
    return byStatus[s.ordinal()].sum();
  }

  /**
   * Reads every counter.
   *
   * @return a snapshot
   */
  public DnsResponderStats snapshot() {
    return new DnsResponderStats(
        udpQueries.sum(),
        tcpQueries.sum(),
        status(DnsStatus.NOERROR),
        status(DnsStatus.NODATA),
        status(DnsStatus.NXDOMAIN),
        status(DnsStatus.REFUSED),
        status(DnsStatus.FORMERR),
        status(DnsStatus.NOTIMP),
        status(DnsStatus.SERVFAIL),
        status(DnsStatus.BADVERS),
        truncated.sum(),
        malformed.sum(),
        internalErrors.sum());
  }
}
