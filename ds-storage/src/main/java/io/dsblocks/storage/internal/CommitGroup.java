package io.dsblocks.storage.internal;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.index.ChunkList;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.Counters;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.index.VersionRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.WriteBatch;

/**
 * What one or more puts will commit together: the chunks they wrote or borrowed whose index entries
 * are not committed yet, the rows they staged (chunk-list pages), and the finished objects waiting
 * for their catalog rows. A single put uses its own group; a {@link
 * io.dsblocks.storage.ObjectStore.Batch} shares one across many puts, so they cost one fsync per
 * pack touched and one synced index write in total, and become visible together.
 *
 * <p>{@link #flush} is the write-ordering step: fsync the packs up to the last record the group
 * references, then one synced RocksDB batch with the index entries, the staged rows and (on {@link
 * #commit}) the catalog rows and counter deltas, then publish the ids to the filter and stop
 * advertising them as in flight.
 *
 * <p>Not thread-safe: used by one thread at a time (the put or batch that owns it).
 */
final class CommitGroup implements AutoCloseable {
  /** A finished put (or a staged delete) waiting for its version id and catalog row. */
  record Draft(
      String key,
      Map<String, String> metadata,
      long size,
      ChunkList chunks,
      long newChunks,
      long dedupedRefs,
      boolean deleteMarker) {

    /** A put's draft. */
    Draft(
        String key,
        Map<String, String> metadata,
        long size,
        ChunkList chunks,
        long newChunks,
        long dedupedRefs) {
      this(key, metadata, size, chunks, newChunks, dedupedRefs, false);
    }

    /** A batch delete's draft: it becomes a delete marker if the key is live at commit. */
    static Draft delete(String key) {
      return new Draft(key, Map.of(), 0, ChunkList.EMPTY, 0, 0, true);
    }
  }

  private final DefaultObjectStore store;
  WriteBatch staged = new WriteBatch();

  /** Chunks written by this group's puts whose index entries are not committed yet. */
  final List<PendingChunk> owned = new ArrayList<>();

  /** Chunks other in-flight puts are writing that this group references. */
  final List<PendingChunk> borrowed = new ArrayList<>();

  private final List<Draft> drafts = new ArrayList<>();
  private final List<Long> deadLists = new ArrayList<>();
  private long chunksCounted;

  /** The GC epoch this writer registered in (see {@link GcGuard}). */
  private final long gcEpoch;

  private boolean left;

  CommitGroup(DefaultObjectStore store) {
    this.store = store;
    this.gcEpoch = store.gcGuard.enter();
  }

  /** Whether enough in-flight chunks accumulated to commit their index entries early. */
  boolean wantsFlush() {
    return owned.size() + borrowed.size() >= DefaultObjectStore.FLUSH_CHUNKS;
  }

  void addDraft(Draft draft) {
    drafts.add(draft);
  }

  /** A put of this group failed after spilling chunk-list pages: delete them after the flush. */
  void discardList(long listId) {
    if (listId != 0) {
      deadLists.add(listId);
    }
  }

  int drafts() {
    return drafts.size();
  }

  /**
   * Commits every draft: allocates version ids in put order, stages the catalog rows and counters,
   * and flushes.
   *
   * @return the committed versions, in put order
   */
  List<ObjectInfo> commit() {
    // Every committed version (puts and delete markers) in call order, with its draft.
    List<ObjectInfo> versions = new ArrayList<>(drafts.size());
    List<Draft> committed = new ArrayList<>(drafts.size());
    // Whether each key touched so far is live as far as this batch is concerned.
    Map<String, Boolean> liveInBatch = new HashMap<>();
    long logical = 0;
    long deduped = 0;
    try {
      for (Draft d : drafts) {
        if (d.deleteMarker()) {
          Boolean live = liveInBatch.get(d.key());
          if (live == null) {
            VersionRecord latest = store.catalog.latest(d.key());
            live = latest != null && !latest.info().deleteMarker();
          }
          liveInBatch.put(d.key(), false);
          if (!live) {
            continue; // nothing to delete: no marker, as with ObjectStore.delete
          }
        } else {
          liveInBatch.put(d.key(), true);
        }
        // In flight until settled below, so a snapshot taken meanwhile excludes the whole group.
        ObjectInfo info =
            new ObjectInfo(
                d.key(),
                store.watermark.begin(),
                d.size(),
                d.metadata(),
                store.config().clock().instant(),
                d.deleteMarker());
        versions.add(info);
        committed.add(d);
        store.catalog.stageVersion(staged, new VersionRecord(info, d.chunks()));
        logical += d.size();
        deduped += d.dedupedRefs();
      }
      store.db.addCounter(staged, Counters.VERSIONS, versions.size());
      store.db.addCounter(staged, Counters.LOGICAL_BYTES, logical);
      store.db.addCounter(staged, Counters.DEDUPED_CHUNKS, deduped);
      flush();
    } finally {
      for (ObjectInfo info : versions) {
        store.watermark.settle(info.versionId());
      }
    }
    List<ObjectInfo> puts = new ArrayList<>(versions.size());
    for (int i = 0; i < versions.size(); i++) {
      Draft d = committed.get(i);
      store.notifyCommit(versions.get(i), d.newChunks(), d.dedupedRefs());
      if (!d.deleteMarker()) {
        puts.add(versions.get(i));
      }
    }
    drafts.clear();
    return puts;
  }

  /**
   * Makes the referenced records durable, then writes their index entries plus everything staged in
   * one synced batch, then publishes them to the filter.
   */
  void flush() {
    List<PendingChunk> toPublish = new ArrayList<>(owned.size() + borrowed.size());
    Map<Long, Long> syncTo = new HashMap<>();
    for (PendingChunk p : owned) {
      if (!p.published) { // a borrower may have committed it first
        stage(p, p.location.join(), syncTo, toPublish);
      }
    }
    for (PendingChunk p : borrowed) {
      ChunkLocation loc;
      try {
        loc = p.location.join();
      } catch (RuntimeException e) {
        throw new StorageException(
            "chunk " + Bytes.shortId(p.id()) + " was being written by a concurrent put that failed",
            e);
      }
      if (!p.published) {
        stage(p, loc, syncTo, toPublish);
      }
    }
    // Durable data before anything refers to it.
    for (Map.Entry<Long, Long> e : syncTo.entrySet()) {
      store.packWriter.syncUpTo(e.getKey(), e.getValue());
    }
    if (store.replicator.synchronous()) {
      // Ack after R durable copies: seal each referenced pack and copy it before the index write.
      for (Long packId : syncTo.keySet()) {
        store.replicator.replicateForCommit(packId);
      }
    }
    long chunks = 0;
    long unique = 0;
    long stored = 0;
    for (PendingChunk p : toPublish) {
      if (p.counted.compareAndSet(false, true)) {
        ChunkLocation loc = p.location.join();
        chunks++;
        unique += loc.rawLength();
        stored += loc.length();
      }
    }
    store.db.addCounter(staged, Counters.CHUNKS, chunks);
    store.db.addCounter(staged, Counters.UNIQUE_BYTES, unique);
    store.db.addCounter(staged, Counters.STORED_BYTES, stored);
    store.db.write(staged, true);
    store.replicator.committed(syncTo.keySet());
    chunksCounted += chunks;
    staged.close();
    staged = new WriteBatch();
    // Filter bits first, then stop advertising the chunk as in flight: a concurrent lookup that
    // no longer finds it pending is then guaranteed to see the bits (see DedupIndex).
    for (PendingChunk p : toPublish) {
      store.index.published(p.id());
      p.published = true;
      store.pending.remove(p.key, p);
    }
    owned.clear();
    borrowed.clear();
    deleteDeadLists();
  }

  private void stage(
      PendingChunk p, ChunkLocation loc, Map<Long, Long> syncTo, List<PendingChunk> toPublish) {
    store.index.stage(staged, new IndexedChunk(p.id(), loc));
    if (p.baseId != null) {
      // Same batch as the index entry: GC keeps the base exactly as long as the delta is indexed.
      try {
        staged.put(store.db.deltaBases, p.id(), p.baseId);
      } catch (org.rocksdb.RocksDBException e) {
        throw store.db.failure("stage", e);
      }
    }
    syncTo.merge(loc.packId(), loc.end(), Math::max);
    toPublish.add(p);
  }

  /** Distinct chunks this group's flushes counted as new so far. */
  long chunksCounted() {
    return chunksCounted;
  }

  private void deleteDeadLists() {
    for (long listId : deadLists) {
      try {
        store.catalog.deleteList(listId);
      } catch (RuntimeException ignored) {
        // Unreferenced pages are harmless; garbage collection removes them.
      }
    }
    deadLists.clear();
  }

  /**
   * Abandons everything not yet committed: releases the in-flight claims (their records stay valid
   * for anyone who borrowed them) and deletes spilled chunk-list pages of the drafts.
   */
  void abort() {
    for (PendingChunk p : owned) {
      store.pending.remove(p.key, p);
    }
    owned.clear();
    borrowed.clear();
    for (Draft d : drafts) {
      discardList(d.chunks().listId());
    }
    drafts.clear();
    staged.close();
    staged = new WriteBatch();
    deleteDeadLists();
  }

  @Override
  public void close() {
    staged.close();
    if (!left) {
      left = true;
      store.gcGuard.leave(gcEpoch);
    }
  }
}
