/**
 * Circuit breakers: stop calling a failing or slow dependency, probe it with a fixed number of
 * trial calls, resume when it is healthy.
 *
 * <p>Entry point: {@link io.dsblocks.ratelimit.circuitbreaker.CircuitBreaker#of}. Compose with
 * retries, rate limiters and bulkheads through {@link io.dsblocks.ratelimit.Decorators}.
 */
package io.dsblocks.ratelimit.circuitbreaker;
