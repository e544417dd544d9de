/**
 * Traffic control: rate limiters, circuit breakers, bulkheads, adaptive concurrency limits and
 * retries with budgets, behind one small API.
 *
 * <p>Entry points: {@link io.dsblocks.ratelimit.RateLimiters} for rate limiters.
 */
package io.dsblocks.ratelimit;
