package io.dsblocks.cache.internal;

import java.util.concurrent.CompletableFuture;

/**
 * The right of one in-flight load to install its result (the generation guard). A put, delete or
 * invalidate of the key revokes the lease inside the same atomic map compute that changes the
 * entry; the load's install checks {@link #revoked} inside its own atomic compute on the same key.
 * Both run under the map's per-key lock, so either the install happens first (and the write then
 * replaces or removes its value) or the revoke does (and the install is skipped); a load that takes
 * its lease after the write re-checks the map and finds the written entry. So a value read from the
 * store before an invalidation or write can never be cached after it.
 *
 * @param <V> value type
 */
final class Lease<V> {
  /** Completed with the loaded value; callers that joined the load wait on it. */
  final CompletableFuture<V> result = new CompletableFuture<>();

  /** Set and read under the key's map lock; volatile so diagnostics outside it see it too. */
  volatile boolean revoked;
}
