/**
 * Implementation of the Chronicle Map L2 tier: the expiry header, the close guard and the
 * persistent file's metadata and lock. Not an API; may change without notice.
 */
package io.dsblocks.cache.internal.tier;
