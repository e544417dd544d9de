/**
 * Implementation of ds-cache: the cache core, the exact LRU and LFU maps, the write-back queue and
 * its journal. Not an API; may change without notice.
 */
package io.dsblocks.cache.internal;
