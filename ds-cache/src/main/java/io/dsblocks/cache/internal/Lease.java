package io.dsblocks.cache.internal;

import java.util.concurrent.CompletableFuture;

/**
 * The right of one in-flight load to install its result (the generation guard). The install is an
 * atomic compute on the key that succeeds only if the lease was not revoked <em>and</em> the entry
 * is still exactly {@link #expected}, the one the load saw when it took the lease (none for a
 * read-through miss, the hit entry for a refresh). Both checks are needed:
 *
 * <ul>
 *   <li>{@link #revoked}: a put, delete or invalidate revokes the lease inside its own compute on
 *       the key, so a write that runs after the lease was taken always stops the install, even one
 *       that leaves the entry as the load saw it (put then invalidate on an absent key: null again,
 *       an ABA that identity alone would miss).
 *   <li>{@link #expected}: a write whose compute revoked before the lease existed may still be
 *       invisible to the load. Caffeine (a {@code ConcurrentHashMap}) reads without locking and
 *       publishes a compute's result only when it returns, so a miss can take its lease, re-check
 *       and load while a put is between its revoke and its publication; a refresh can take its
 *       lease after a write already replaced the entry it hit. Such a write always leaves a
 *       different entry object (entries are immutable and never reused) or none, which the identity
 *       check sees under the key's lock. LRU and LFU read under their compute lock, so for them
 *       this check is redundant but harmless.
 * </ul>
 *
 * So either the install happens first (and the write then replaces or removes its value) or it is
 * skipped: a value read from the source before a write or invalidation is never cached after it.
 *
 * @param <V> value type
 */
final class Lease<V> {
  /** Completed with the loaded value; callers that joined the load wait on it. */
  final CompletableFuture<V> result = new CompletableFuture<>();

  /** The entry the install may replace (compared by identity); null for a read-through miss. */
  final Entry<V> expected;

  /** Set and read under the key's map lock; volatile so diagnostics outside it see it too. */
  volatile boolean revoked;

  /**
   * True for the placeholder a write-through/write-back {@code putIfVersion} holds in the in-flight
   * map from its version check to its install: no load runs for the key meanwhile (a miss waits for
   * it and then reads again, a refresh is skipped, an invalidate leaves it in place), so no entry
   * with another version can appear between the check and the install. Completed with null.
   */
  final boolean fence;

  Lease(Entry<V> expected) {
    this(expected, false);
  }

  private Lease(Entry<V> expected, boolean fence) {
    this.expected = expected;
    this.fence = fence;
  }

  static <V> Lease<V> fence() {
    return new Lease<>(null, true);
  }
}
