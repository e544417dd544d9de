/**
 * Implementation of the Redis tier and invalidation bus: the message wire format, the log of keys
 * to delete once Redis is back, and the Lettuce client setup. Not an API; may change without
 * notice.
 */
package io.dsblocks.cache.internal.redis;
