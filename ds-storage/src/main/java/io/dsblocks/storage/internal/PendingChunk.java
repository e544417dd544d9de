package io.dsblocks.storage.internal;

import io.dsblocks.storage.internal.index.ChunkLocation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chunk some put has claimed and is writing (or has written) but whose index entry may not be
 * committed yet. Other puts that meet the same chunk reference this instead of writing it again,
 * and stage its index entry themselves if they commit first: an index entry is a fact about a
 * durable record, so it does not matter who writes it.
 */
final class PendingChunk {
  final ChunkKey key;
  final CompletableFuture<ChunkLocation> location = new CompletableFuture<>();

  /**
   * The base chunk when stored as a delta, else null. Written before {@link #location} completes,
   * read after it.
   */
  byte[] baseId;

  /** Set once its index entry is committed and in the filter. */
  volatile boolean published;

  /** Won by whichever commit counts its bytes in the stats, so they are counted once. */
  final AtomicBoolean counted = new AtomicBoolean();

  PendingChunk(ChunkKey key) {
    this.key = key;
  }

  byte[] id() {
    return key.id;
  }

  boolean failed() {
    return location.isCompletedExceptionally();
  }
}
