package io.dsblocks.ratelimit.adaptive;

/**
 * A snapshot of an {@link AdaptiveLimiter}. Immutable and thread-safe.
 *
 * @param limit the current limit
 * @param inFlight calls in flight
 * @param accepted calls admitted since creation
 * @param rejected calls refused since creation
 * @param dropped calls reported as dropped since creation
 */
public record AdaptiveLimiterStats(
    int limit, int inFlight, long accepted, long rejected, long dropped) {}
