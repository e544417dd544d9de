package io.dsblocks.ratelimit.bulkhead;

/**
 * A snapshot of a {@link Bulkhead}. Immutable and thread-safe.
 *
 * @param maxConcurrentCalls the configured limit
 * @param concurrentCalls calls holding a slot when the snapshot was taken
 * @param permittedCalls calls admitted since creation
 * @param rejectedCalls calls refused since creation
 */
public record BulkheadStats(
    int maxConcurrentCalls, int concurrentCalls, long permittedCalls, long rejectedCalls) {}
