package io.dsblocks.storage.internal;

import io.dsblocks.storage.GcOptions;
import io.dsblocks.storage.GcResult;
import io.dsblocks.storage.Snapshot;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.VersionRetention;
import io.dsblocks.storage.internal.index.Catalog;
import io.dsblocks.storage.internal.index.ChunkListReader;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.Counters;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.index.VersionRecord;
import io.dsblocks.storage.internal.pack.PackFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * One garbage-collection cycle: purge, mark, sweep, repack. The concurrency protocol with writers
 * is in {@link GcGuard}; why each step is safe is noted where it happens.
 *
 * <ol>
 *   <li><b>Start</b>: open a GC epoch and wait for older writers (see {@link GcGuard}); then, under
 *       the snapshot lock, read the commit watermark W and the snapshot list, and take a RocksDB
 *       view. Rows with ids above W are in flight or newer: always kept, never examined.
 *   <li><b>Purge and mark</b>, one key at a time: a row at or below W is kept if a snapshot shows
 *       it, if it is the key's newest row at W and not a delete marker, or (with {@link
 *       VersionRetention#KEEP_ALL_VERSIONS}) if the key still exists at W. A delete marker is
 *       dropped when no kept row below it remains, since it then hides nothing. Dropped rows are
 *       deleted in synced batches; the chunk ids of kept rows are written to the {@code gc_marks}
 *       scratch column family (no WAL). Snapshots created later have watermarks of at least W (the
 *       watermark never decreases) and so see rows above W or the same newest row at W.
 *   <li><b>Sweep</b>: a merge of the {@code chunks} column (from the view) with the marks: an
 *       unmarked chunk is deleted (index entry, pack entry, counters) under the sweep lock unless a
 *       concurrent writer protected it.
 *   <li><b>Orphan chunk lists</b>: the pages of a list no kept row references are deleted, for
 *       lists issued before the cycle began. Those left by a put that failed (or died) after
 *       spilling pages are never referenced by a row. The bound makes it safe with writers: a list
 *       issued before the cycle belongs to a writer that registered in an older epoch (writers
 *       register before allocating), so the drain waited for it and its row, if it committed, is in
 *       the view and marked; lists of newer writers are above the bound and untouched.
 *   <li><b>Repack</b>: for each sealed pack whose dead fraction reaches the threshold, copy its
 *       live records to the current pack, fsync, switch their index and pack entries in one synced
 *       batch, then delete the old file under the relocation lock. A crash before the switch leaves
 *       unreferenced copies (recovery removes them); after it, an old pack with no entries
 *       (recovery removes it too).
 * </ol>
 *
 * <p>Memory: one key's rows, one batch of 1024 candidates, and per pack its live entries; the mark
 * set is on disk. Not thread-safe: the store runs one cycle at a time.
 */
final class GarbageCollector {
  private static final int BATCH = 1024;

  private final DefaultObjectStore store;
  private final GcOptions options;
  private final GcHook hook;
  private long purged;
  private long marked;
  private long swept;
  private long sweptBytes;
  private long protectedKept;
  private long repacked;
  private long packsDeleted;
  private long copied;
  private long reclaimed;
  private long orphanLists;

  GarbageCollector(DefaultObjectStore store, GcOptions options, GcHook hook) {
    this.store = store;
    this.options = options;
    this.hook = hook;
  }

  GcResult run() {
    // Read before the epoch opens: every list id up to it was allocated by an older-epoch writer.
    long listsBefore = store.listIds.lastIssued();
    store.gcGuard.beginCycle(options.drainTimeout().toNanos());
    try {
      long watermark;
      long[] snapshotMarks;
      synchronized (store.snapshotLock) {
        watermark = store.watermark.watermark();
        List<Snapshot> snaps = store.snapshotStore.list();
        snapshotMarks = new long[snaps.size()];
        for (int i = 0; i < snaps.size(); i++) {
          snapshotMarks[i] = snaps.get(i).watermark();
        }
      }
      clearMarks();
      org.rocksdb.Snapshot view = store.db.snapshot();
      try (ReadOptions ro = new ReadOptions().setSnapshot(view).setFillCache(false)) {
        purgeAndMark(ro, watermark, snapshotMarks);
        markDeltaBases(ro);
        sweep(ro);
        hook.afterMark();
        sweepLists(listsBefore);
      } finally {
        store.db.releaseSnapshot(view);
      }
      repack();
      clearMarks();
      if (reclaimed != 0) {
        try (WriteBatch b = new WriteBatch()) {
          store.db.addCounter(b, Counters.RECLAIMED_BYTES, reclaimed);
          store.db.write(b, true);
        }
      }
    } finally {
      store.gcGuard.endCycle();
    }
    return new GcResult(
        purged,
        marked,
        swept,
        sweptBytes,
        protectedKept,
        repacked,
        packsDeleted,
        copied,
        reclaimed,
        orphanLists);
  }

  private void clearMarks() {
    byte[] end = new byte[33];
    Arrays.fill(end, (byte) 0xff);
    store.db.deleteRange(store.db.gcMarks, new byte[0], end);
  }

  // ---------------------------------------------------------------- purge and mark

  private void purgeAndMark(ReadOptions ro, long watermark, long[] snapshotMarks) {
    WriteBatch purge = new WriteBatch();
    WriteBatch marks = new WriteBatch();
    long[] pending = new long[3]; // purge rows, purged logical bytes, marks staged
    try {
      store.catalog.forEachKey(
          "",
          ro,
          rows -> {
            List<VersionRecord> kept = decide(rows, watermark, snapshotMarks, purge, pending);
            for (VersionRecord rec : kept) {
              mark(rec, marks, pending);
            }
            if (pending[0] >= BATCH) {
              flushPurge(purge, pending);
            }
            if (pending[2] >= 16 * BATCH) {
              store.db.writeUnlogged(marks);
              marks.clear();
              pending[2] = 0;
            }
          });
      flushPurge(purge, pending);
      store.db.writeUnlogged(marks);
    } finally {
      purge.close();
      marks.close();
    }
  }

  private void flushPurge(WriteBatch purge, long[] pending) {
    if (pending[0] == 0) {
      return;
    }
    store.db.addCounter(purge, Counters.VERSIONS, -pending[0]);
    store.db.addCounter(purge, Counters.LOGICAL_BYTES, -pending[1]);
    store.db.write(purge, true);
    purge.clear();
    purged += pending[0];
    pending[0] = 0;
    pending[1] = 0;
  }

  /** Stages the removal of the key's dropped rows; returns the kept rows at or below W. */
  private List<VersionRecord> decide(
      List<Catalog.Row> newestFirst,
      long watermark,
      long[] snapshotMarks,
      WriteBatch purge,
      long[] pending) {
    int n = newestFirst.size();
    VersionRecord[] recs = new VersionRecord[n];
    boolean[] keep = new boolean[n];
    int newestAtW = -1;
    for (int i = 0; i < n; i++) {
      Catalog.Row row = newestFirst.get(i);
      if (row.versionId() > watermark) {
        keep[i] = true; // in flight or newer than the cycle: not ours to judge
      } else if (newestAtW < 0) {
        newestAtW = i;
      }
    }
    for (long w : snapshotMarks) {
      int visible = newestAt(newestFirst, w);
      if (visible >= 0) {
        keep[visible] = true;
      }
    }
    if (newestAtW >= 0) {
      recs[newestAtW] = store.catalog.open(newestFirst.get(newestAtW));
      boolean exists = !recs[newestAtW].info().deleteMarker();
      // The newest row defines the live state: a marker there must stay while anything older
      // stays (a snapshot may keep an older version), or the deleted object would reappear.
      keep[newestAtW] = true;
      if (exists) {
        if (options.versionRetention() == VersionRetention.KEEP_ALL_VERSIONS) {
          for (int i = newestAtW; i < n; i++) {
            keep[i] = true;
          }
        }
      }
    }
    // Oldest first: a kept marker with no kept live row below it hides nothing.
    List<VersionRecord> kept = new ArrayList<>();
    boolean liveBelow = false;
    for (int i = n - 1; i >= 0; i--) {
      Catalog.Row row = newestFirst.get(i);
      if (row.versionId() > watermark) {
        continue;
      }
      if (recs[i] == null) {
        recs[i] = store.catalog.open(row);
      }
      boolean marker = recs[i].info().deleteMarker();
      if (keep[i] && marker && !liveBelow) {
        keep[i] = false;
      }
      if (keep[i]) {
        liveBelow = !marker;
        kept.add(recs[i]);
      } else {
        store.catalog.stageRemoval(purge, recs[i]);
        store.tiers.stagePurge(purge, row.rowKey(), recs[i].info().size());
        pending[0]++;
        pending[1] += recs[i].info().size();
      }
    }
    // Rows above W are kept and must be marked too.
    for (int i = 0; i < n; i++) {
      if (newestFirst.get(i).versionId() > watermark) {
        kept.add(store.catalog.open(newestFirst.get(i)));
      }
    }
    return kept;
  }

  private static int newestAt(List<Catalog.Row> newestFirst, long w) {
    for (int i = 0; i < newestFirst.size(); i++) {
      if (newestFirst.get(i).versionId() <= w) {
        return i;
      }
    }
    return -1;
  }

  private void mark(VersionRecord rec, WriteBatch marks, long[] pending) {
    ChunkListReader r = new ChunkListReader(store.catalog, rec.chunks());
    try {
      if (rec.chunks().paged()) {
        // 8 bytes: never equal to a 32-byte chunk id, so the chunk sweep's merge join skips it.
        marks.put(store.db.gcMarks, Bytes.longBytes(rec.chunks().listId()), new byte[0]);
        pending[2]++;
      }
      while (r.hasNext()) {
        r.next();
        marks.put(store.db.gcMarks, r.id().clone(), new byte[0]);
        pending[2]++;
      }
    } catch (RocksDBException e) {
      throw store.db.failure("stage", e);
    }
  }

  /**
   * Marks the base of every delta chunk indexed in the view, live or not. A dead delta keeps its
   * base for one more cycle (the delta and its row go in this sweep, the base in the next), which
   * is what makes a concurrent dedup hit on an unmarked delta safe: the writer protects the delta,
   * and its base is marked here whatever the delta's fate. Deltas committed after the view have
   * bases their writer protected before looking them up.
   */
  private void markDeltaBases(ReadOptions ro) {
    try (RocksIterator deltas = store.db.iterator(store.db.deltaBases, ro);
        WriteBatch marks = new WriteBatch()) {
      long staged = 0;
      for (deltas.seekToFirst(); deltas.isValid(); deltas.next()) {
        marks.put(store.db.gcMarks, deltas.value(), new byte[0]);
        if (++staged % 4096 == 0) {
          store.db.writeUnlogged(marks);
          marks.clear();
        }
      }
      store.db.checkIterator(deltas);
      store.db.writeUnlogged(marks);
    } catch (RocksDBException e) {
      throw store.db.failure("stage", e);
    }
  }

  // ---------------------------------------------------------------- sweep

  /**
   * Deletes the pages of every list issued up to {@code listsBefore} that no kept row marked. Reads
   * the current state, not the view: pages of rows purged by this cycle are gone already, and no
   * list at or below the bound can gain a row any more (see the class comment).
   */
  private void sweepLists(long listsBefore) {
    try (ReadOptions read = new ReadOptions().setFillCache(false);
        RocksIterator pages = store.db.iterator(store.db.chunkLists, read);
        WriteBatch drop = new WriteBatch()) {
      int staged = 0;
      pages.seekToFirst();
      while (pages.isValid()) {
        long listId = Bytes.getLong(pages.key(), 0);
        if (listId > listsBefore) {
          break; // keys are big-endian list ids: everything further is newer
        }
        byte[] from = Bytes.longBytes(listId);
        byte[] to = Bytes.longBytes(listId + 1);
        if (store.db.get(store.db.gcMarks, from) == null) {
          drop.deleteRange(store.db.chunkLists, from, to);
          orphanLists++;
          if (++staged >= BATCH) {
            store.db.write(drop, true);
            drop.clear();
            staged = 0;
          }
        }
        pages.seek(to);
      }
      store.db.checkIterator(pages);
      if (staged > 0) {
        store.db.write(drop, true);
      }
    } catch (RocksDBException e) {
      throw store.db.failure("stage", e);
    }
  }

  private void sweep(ReadOptions ro) {
    List<IndexedChunk> candidates = new ArrayList<>();
    try (RocksIterator chunks = store.db.iterator(store.db.chunks, ro);
        ReadOptions markRead = new ReadOptions().setFillCache(false);
        RocksIterator marks = store.db.iterator(store.db.gcMarks, markRead)) {
      marks.seekToFirst();
      for (chunks.seekToFirst(); chunks.isValid(); chunks.next()) {
        byte[] id = chunks.key();
        // Merge join: both columns are sorted by chunk id.
        while (marks.isValid() && Arrays.compareUnsigned(marks.key(), id) < 0) {
          marks.next();
        }
        if (marks.isValid() && Arrays.equals(marks.key(), id)) {
          marked++;
          continue;
        }
        candidates.add(new IndexedChunk(id, ChunkLocation.decode(chunks.value())));
        if (candidates.size() >= BATCH) {
          delete(candidates);
        }
      }
      store.db.checkIterator(chunks);
      store.db.checkIterator(marks);
    }
    delete(candidates);
  }

  private void delete(List<IndexedChunk> candidates) {
    if (candidates.isEmpty()) {
      return;
    }
    Lock l = store.gcGuard.sweepLock();
    l.lock();
    try (WriteBatch b = new WriteBatch()) {
      long chunks = 0;
      long unique = 0;
      long stored = 0;
      for (IndexedChunk c : candidates) {
        if (store.gcGuard.isProtected(c.id())) {
          protectedKept++;
          continue;
        }
        ChunkLocation loc = c.location();
        b.delete(store.db.chunks, c.id());
        b.delete(store.db.deltaBases, c.id()); // no-op unless it was a delta
        b.delete(store.db.packEntries, IndexedChunk.entryKey(loc.packId(), loc.offset()));
        chunks++;
        unique += loc.rawLength();
        stored += loc.length();
        store.tiers.stageChunkDelta(b, loc.packId(), -1, -loc.rawLength(), -loc.length());
      }
      store.db.addCounter(b, Counters.CHUNKS, -chunks);
      store.db.addCounter(b, Counters.UNIQUE_BYTES, -unique);
      store.db.addCounter(b, Counters.STORED_BYTES, -stored);
      store.db.write(b, true);
      store.replicator.chunksRemoved(candidates);
      swept += chunks;
      sweptBytes += stored;
    } catch (RocksDBException e) {
      throw store.db.failure("stage", e);
    } finally {
      l.unlock();
    }
    candidates.clear();
  }

  // ---------------------------------------------------------------- repack

  private void repack() {
    for (long packId : sealedPacks()) {
      List<IndexedChunk> live = store.index.packEntries(packId);
      long size = store.packReader.size(packId);
      long liveBytes = 0;
      for (IndexedChunk c : live) {
        liveBytes += c.location().length();
      }
      double dead = size == 0 ? 1 : 1 - (double) liveBytes / size;
      if (live.isEmpty() || dead >= options.repackThreshold()) {
        repackOne(packId, live, size);
      }
    }
  }

  /** Pack files not being written in this run, in id order. */
  private List<Long> sealedPacks() {
    TreeSet<Long> ids = new TreeSet<>();
    for (long id : store.listAllPacks()) {
      if (!store.isUnsealed(id)) {
        ids.add(id);
      }
    }
    return new ArrayList<>(ids);
  }

  private void repackOne(long packId, List<IndexedChunk> live, long size) {
    // Records a concurrent writer may still commit (it protected their ids) keep the pack alive:
    // its trailer lists every record, committed or not.
    Set<ChunkKey> liveIds = new HashSet<>();
    for (IndexedChunk c : live) {
      liveIds.add(new ChunkKey(c.id()));
    }
    List<IndexedChunk> all;
    try {
      all = store.packReader.readTrailer(packId, store.sealer);
    } catch (RuntimeException e) {
      return; // damaged: leave it to verify() and the operator
    }
    for (IndexedChunk c : all) {
      if (!liveIds.contains(new ChunkKey(c.id())) && store.gcGuard.isProtected(c.id())) {
        return;
      }
    }
    Map<Long, Long> syncTo = new HashMap<>();
    List<IndexedChunk> moved = new ArrayList<>(live.size());
    long bytes = 0;
    for (IndexedChunk c : live) {
      byte[] record = store.packReader.readRecord(c.location(), c.id());
      byte[] sealed = Arrays.copyOfRange(record, PackFormat.RECORD_HEADER_LENGTH, record.length);
      // Same tier: a repack keeps each record's tier (and its compression).
      ChunkLocation to = store.writerFor(packId).append(c.id(), sealed, c.location().rawLength());
      syncTo.merge(to.packId(), to.end(), Math::max);
      moved.add(new IndexedChunk(c.id(), to));
      bytes += to.length();
    }
    for (Map.Entry<Long, Long> e : syncTo.entrySet()) {
      store.writerFor(e.getKey()).syncUpTo(e.getKey(), e.getValue());
    }
    if (store.replicator.synchronous()) {
      // The moved records must have all their copies before the index points at them.
      for (Long to : syncTo.keySet()) {
        store.replicator.replicateForCommit(to);
      }
    }
    hook.afterCopy(packId);
    Lock sweep = store.gcGuard.sweepLock();
    sweep.lock();
    try (WriteBatch b = new WriteBatch()) {
      for (int i = 0; i < live.size(); i++) {
        ChunkLocation from = live.get(i).location();
        b.delete(store.db.packEntries, IndexedChunk.entryKey(packId, from.offset()));
        store.index.stage(b, moved.get(i));
      }
      b.delete(store.db.packs, Bytes.longBytes(packId));
      long stored = bytes;
      for (IndexedChunk c : live) {
        stored -= c.location().length();
      }
      store.db.addCounter(b, Counters.STORED_BYTES, stored);
      store.tiers.stageChunkDelta(b, packId, 0, 0, stored);
      store.db.write(b, true);
    } catch (RocksDBException e) {
      throw store.db.failure("stage", e);
    } finally {
      sweep.unlock();
    }
    store.replicator.committed(syncTo.keySet());
    hook.afterSwitch(packId);
    Lock r = store.relocation.writeLock();
    r.lock();
    try {
      store.packReader.evict(packId);
      Files.deleteIfExists(store.packReader.path(packId));
    } catch (IOException e) {
      throw new StorageException(
          "cannot delete repacked pack " + PackFormat.fileName(packId) + ": " + e.getMessage(), e);
    } finally {
      r.unlock();
    }
    // Replicas after the local file: a crash in between leaves orphans that open and scrub remove.
    store.replicator.deleteReplicas(packId);
    store.adjustPacks(packId, -1, -size);
    if (!live.isEmpty()) {
      repacked++;
    }
    packsDeleted++;
    copied += bytes;
    reclaimed += size - bytes;
  }
}
