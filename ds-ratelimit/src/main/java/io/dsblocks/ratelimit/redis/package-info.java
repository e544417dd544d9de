/**
 * Distributed rate limiting on Redis: one atomic server-side script per decision.
 *
 * <p>Entry point: {@link io.dsblocks.ratelimit.redis.RedisRateLimiter}, configured with {@link
 * io.dsblocks.ratelimit.redis.RedisRateLimiterConfig}. This package is the only part of the module
 * that needs Lettuce ({@code io.lettuce:lettuce-core}), an optional dependency of {@code
 * ds-ratelimit}: add it to your own build to use it.
 */
package io.dsblocks.ratelimit.redis;
