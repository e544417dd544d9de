package io.dsblocks.loadbalancer.dns;

/**
 * A snapshot of a {@link DnsResponder}'s counters since it started.
 *
 * <p>Thread-safety: immutable, safe from any thread. Counters are read one by one, so a snapshot
 * taken under load may be off by the queries in flight.
 *
 * @param udpQueries queries decoded from UDP
 * @param tcpQueries queries decoded from TCP
 * @param noError responses with answers
 * @param noData NOERROR responses without answers
 * @param nxDomain NXDOMAIN responses
 * @param refused REFUSED responses
 * @param formErr FORMERR responses
 * @param notImp NOTIMP responses
 * @param servFail SERVFAIL responses
 * @param badVers BADVERS responses
 * @param truncated UDP responses sent with the TC bit
 * @param malformed packets dropped (or TCP connections closed) because they could not be decoded
 * @param internalErrors queries dropped because the responder itself failed (a bug or resource
 *     exhaustion; nothing was sent)
 */
public record DnsResponderStats(
    long udpQueries,
    long tcpQueries,
    long noError,
    long noData,
    long nxDomain,
    long refused,
    long formErr,
    long notImp,
    long servFail,
    long badVers,
    long truncated,
    long malformed,
    long internalErrors) {

  /**
   * All decoded queries.
   *
   * @return UDP plus TCP queries
   */
  public long queries() {
    return udpQueries + tcpQueries;
  }

  /**
   * The count of one status.
   *
   * @param status the status
   * @return responses with that status
   */
  public long count(DnsStatus status) {
    switch (status) {
      case NOERROR:
        return noError;
      case NODATA:
        return noData;
      case NXDOMAIN:
        return nxDomain;
      case REFUSED:
        return refused;
      case FORMERR:
        return formErr;
      case NOTIMP:
        return notImp;
      case SERVFAIL:
        return servFail;
      case BADVERS:
        return badVers;
      default:
        throw new AssertionError(status);
    }
  }
}
