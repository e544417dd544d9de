package io.dsblocks.loadbalancer.proxy;

import java.net.SocketAddress;

/**
 * What an {@link L7Proxy} did with one request, given to the {@link AccessLogSink}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param startEpochMillis when the request head arrived, from the configured clock
 * @param client the client's address
 * @param method the request method
 * @param uri the request target as received (path and query)
 * @param protocol the client's protocol version, e.g. {@code HTTP/1.1}
 * @param status the status sent to the client, or 0 if the exchange was aborted before a status
 *     could be sent (the client went away, or the backend failed mid-response and the connection
 *     was cut)
 * @param requestBytes request body bytes received from the client
 * @param responseBytes response body bytes sent to the client
 * @param route the matched route's name, or {@code "-"} if none matched
 * @param backend the id of the last endpoint tried, or {@code "-"} if none was
 * @param attempts how many backend attempts were made (0 for local responses)
 * @param durationNanos from the request head to the end of the response
 * @param traceId the W3C trace id sent to the backend (32 hex digits), or {@code "-"}
 * @param reason {@code "-"} for a forwarded response; otherwise why the proxy answered or aborted:
 *     {@code bad_request}, {@code header_too_large}, {@code uri_too_long}, {@code body_too_large},
 *     {@code method_not_allowed}, {@code expectation_failed}, {@code header_timeout}, {@code
 *     no_route}, {@code filter}, {@code rate_limited}, {@code circuit_open}, {@code no_backend},
 *     {@code connect_failed}, {@code backend_reset}, {@code backend_timeout}, {@code
 *     client_closed}, {@code shutdown}, {@code idle_timeout}
 */
public record AccessLogRecord(
    long startEpochMillis,
    SocketAddress client,
    String method,
    String uri,
    String protocol,
    int status,
    long requestBytes,
    long responseBytes,
    String route,
    String backend,
    int attempts,
    long durationNanos,
    String traceId,
    String reason) {}
