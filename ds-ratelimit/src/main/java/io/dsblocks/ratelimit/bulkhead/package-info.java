/**
 * Bulkheads: a fixed cap on concurrent calls, optionally with a bounded wait for a free slot.
 *
 * <p>Entry point: {@link io.dsblocks.ratelimit.bulkhead.Bulkhead#of}. For a cap that adapts to the
 * dependency's latency see {@link io.dsblocks.ratelimit.adaptive.AdaptiveLimiter}.
 */
package io.dsblocks.ratelimit.bulkhead;
