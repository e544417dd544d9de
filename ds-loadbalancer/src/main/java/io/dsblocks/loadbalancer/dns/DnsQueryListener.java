package io.dsblocks.loadbalancer.dns;

import java.net.InetSocketAddress;

/**
 * Receives a {@link DnsResponder}'s events. Every method has an empty default, so implement only
 * what you need (e.g. bind them to metrics).
 *
 * <p>Callbacks run synchronously on the responder's I/O threads, so they must be fast and must not
 * block; an exception thrown by a listener is caught and ignored so it cannot break DNS service.
 * Implementations must be thread-safe: callbacks arrive concurrently from all I/O threads. The
 * arguments are values the responder holds anyway, so an installed listener adds no allocation per
 * query.
 */
public interface DnsQueryListener {
  /** A listener that ignores everything; the default. */
  DnsQueryListener NONE = new DnsQueryListener() {};

  /**
   * Called once a response is complete, just before it is handed to the transport: a client that
   * has the answer can rely on this call (and the responder's stats) having happened.
   *
   * @param name the queried name as received
   * @param queryType the numeric DNS type queried (1 = A, 28 = AAAA, ...)
   * @param status how it was answered
   * @param answerCount records in the answer section
   * @param tcp whether the query came over TCP
   * @param truncated whether the UDP answer was cut and the TC bit set
   */
  default void onResponse(
      String name,
      int queryType,
      DnsStatus status,
      int answerCount,
      boolean tcp,
      boolean truncated) {}

  /**
   * Called when a packet could not be decoded and was dropped (UDP) or its connection closed (TCP).
   *
   * @param sender the TCP peer; null for UDP, where the datagram is dropped by the decoder before
   *     its sender reaches the handler
   * @param tcp whether it arrived over TCP
   * @param cause the decoding error
   */
  default void onMalformed(InetSocketAddress sender, boolean tcp, Throwable cause) {}
}
