package io.dsblocks.loadbalancer.proxy;

/**
 * Receives one {@link AccessLogRecord} per HTTP request an {@link L7Proxy} handled, forwarded or
 * answered itself, once the response is complete or the exchange was aborted.
 *
 * <pre>{@code
 * ProxyConfig.builder()...accessLog(r -> log.info("{} {} {} {}", r.client(), r.method(), r.uri(), r.status()))
 * }</pre>
 *
 * <p>Called on the proxy's event-loop threads, concurrently for different connections:
 * implementations must be thread-safe and must not block (queue the record and write it from
 * another thread if the destination is slow). An exception thrown by the sink is caught and ignored
 * so that logging can never break a connection.
 */
@FunctionalInterface
public interface AccessLogSink {

  /**
   * Logs one request.
   *
   * @param record the request's record
   */
  void log(AccessLogRecord record);
}
