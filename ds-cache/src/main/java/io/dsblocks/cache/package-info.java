/** Caches over Caffeine: read-through, write-through, write-back, consistency guards, tiers. */
package io.dsblocks.cache;
