package io.dsblocks.loadbalancer.dns;

/**
 * How the {@link DnsResponder} answered a query, as reported to {@link DnsQueryListener}s and
 * counted in {@link DnsResponderStats}.
 *
 * <p>Thread-safety: immutable enum, safe from any thread.
 */
public enum DnsStatus {
  /** NOERROR with at least one answer record. */
  NOERROR,
  /** NOERROR with no answer record: the name exists without data of the queried type. */
  NODATA,
  /** NXDOMAIN: the name does not exist in our zone. */
  NXDOMAIN,
  /** REFUSED: the name is outside our zones, or the class is not IN. */
  REFUSED,
  /** FORMERR: the query decoded but broke the protocol (no question, bad EDNS option, ...). */
  FORMERR,
  /** NOTIMP: an opcode other than QUERY, or a type we do not serve (ANY, AXFR, IXFR). */
  NOTIMP,
  /** SERVFAIL: routing threw (e.g. a failing {@link HealthSource}). */
  SERVFAIL,
  /** BADVERS: the query used an EDNS version other than 0. */
  BADVERS
}
