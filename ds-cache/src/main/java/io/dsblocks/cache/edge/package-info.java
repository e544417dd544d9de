/**
 * An edge (CDN) cache for HTTP-like responses: RFC 9111 shared-cache semantics, revalidation,
 * coalesced pull from an origin, and push with purge by key, prefix and tag. Entry point: {@link
 * io.dsblocks.cache.edge.EdgeCaches}.
 */
package io.dsblocks.cache.edge;
