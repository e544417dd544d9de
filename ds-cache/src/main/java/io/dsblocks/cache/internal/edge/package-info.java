/** Internals of the edge cache: freshness rules, stored variants and the purge indexes. */
package io.dsblocks.cache.internal.edge;
