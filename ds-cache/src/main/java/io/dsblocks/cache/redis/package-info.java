/**
 * Redis for ds-cache: {@link io.dsblocks.cache.redis.RedisTier}, a remote tier shared by every
 * node, and {@link io.dsblocks.cache.redis.RedisInvalidationBus}, cross-node invalidation over
 * Redis pub/sub. Both need {@code io.lettuce:lettuce-core} on the classpath (an optional dependency
 * of ds-cache: add it to use this package).
 */
package io.dsblocks.cache.redis;
