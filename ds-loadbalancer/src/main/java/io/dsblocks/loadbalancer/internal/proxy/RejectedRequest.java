package io.dsblocks.loadbalancer.internal.proxy;

/**
 * Passed up the client pipeline by {@link HttpRequestValidator} in place of a request (or part of
 * one) that must not be forwarded: the proxy answers it with {@link #status} and closes the
 * connection, because after a framing or size violation the rest of the byte stream cannot be
 * trusted.
 *
 * <p>Immutable.
 *
 * @param status the status to answer with
 * @param reason the access-log reason
 * @param method the request method, or {@code "-"} if the head could not be read
 * @param uri the request target, or {@code "-"}
 * @param extraHeader a header to add (e.g. {@code allow} for 405), or null
 * @param extraValue its value, or null
 */
record RejectedRequest(
    int status, String reason, String method, String uri, String extraHeader, String extraValue) {}
