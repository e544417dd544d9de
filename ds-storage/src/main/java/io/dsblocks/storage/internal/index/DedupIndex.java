package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.internal.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The dedup index: chunk id to {@link ChunkLocation} in RocksDB, with a {@link ChunkFilter} in
 * front so that a chunk never seen before (the common case when ingesting new data) is answered
 * from memory without a disk lookup.
 *
 * <p>Invariant: every id in the {@code chunks} column family is in the filter. It holds because the
 * filter is filled from a scan at open, and every later write adds the ids to the filter right
 * after the batch is written and <em>before</em> the writer stops advertising the chunk as
 * in-flight, so a concurrent lookup either sees it in flight or sees its filter bits.
 *
 * <p>Thread-safe.
 */
public final class DedupIndex {
  private final RepositoryDb db;
  private final long expectedChunks;
  private final double falsePositiveRate;
  private volatile ChunkFilter filter;
  private final LongAdder lookups = new LongAdder();
  private final LongAdder filterSkips = new LongAdder();
  private final LongAdder diskHits = new LongAdder();

  private DedupIndex(RepositoryDb db, long expectedChunks, double falsePositiveRate) {
    this.db = db;
    this.expectedChunks = expectedChunks;
    this.falsePositiveRate = falsePositiveRate;
  }

  /**
   * Opens the index and fills the filter with a scan of the chunk ids on disk (sequential, about 2
   * s per million chunks on a small VM; the filter holds only bits, never the ids).
   *
   * @param db the database
   * @param expectedChunks first filter layer's capacity, raised to fit what is already stored
   * @param falsePositiveRate the filter's target rate
   * @return the index
   */
  public static DedupIndex open(RepositoryDb db, long expectedChunks, double falsePositiveRate) {
    DedupIndex index = new DedupIndex(db, expectedChunks, falsePositiveRate);
    index.reloadFilter();
    return index;
  }

  /** Rebuilds the filter from the ids on disk. Callers block writers while this runs. */
  public void reloadFilter() {
    long existing = db.estimateKeys(db.chunks);
    ChunkFilter fresh =
        new ChunkFilter(Math.max(expectedChunks, existing + existing / 4), falsePositiveRate);
    try (ReadOptions ro = new ReadOptions().setFillCache(false);
        RocksIterator it = db.iterator(db.chunks, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        fresh.add(it.key());
      }
      db.checkIterator(it);
    }
    filter = fresh;
  }

  /**
   * Looks up a chunk for dedup: the filter first, then the disk.
   *
   * @param id chunk id
   * @return its location, or null if it is not stored
   */
  public ChunkLocation lookup(byte[] id) {
    lookups.increment();
    if (!filter.mightContain(id)) {
      filterSkips.increment();
      return null;
    }
    byte[] value = db.get(db.chunks, id);
    if (value == null) {
      return null;
    }
    diskHits.increment();
    return ChunkLocation.decode(value);
  }

  /**
   * Reads a chunk's location straight from disk, for the read path (which only asks for chunks a
   * committed object references, so the filter would only add cost).
   *
   * @param id chunk id
   * @return its location, or null if the index has no entry
   */
  public ChunkLocation locate(byte[] id) {
    byte[] value = db.get(db.chunks, id);
    return value == null ? null : ChunkLocation.decode(value);
  }

  /**
   * Adds an index entry and the pack's entry row to a batch.
   *
   * @param batch the batch
   * @param chunk id and location
   */
  public void stage(WriteBatch batch, IndexedChunk chunk) {
    ChunkLocation loc = chunk.location();
    try {
      batch.put(db.chunks, chunk.id(), loc.encode());
      batch.put(
          db.packEntries, IndexedChunk.entryKey(loc.packId(), loc.offset()), chunk.entryValue());
    } catch (RocksDBException e) {
      throw db.failure("stage", e);
    }
  }

  /**
   * Makes a written id visible to the filter. Call after the batch holding it was written.
   *
   * @param id chunk id
   */
  public void published(byte[] id) {
    filter.add(id);
  }

  /**
   * Returns the committed entries of one pack, in offset order.
   *
   * @param packId the pack
   * @return its entries
   */
  public List<IndexedChunk> packEntries(long packId) {
    List<IndexedChunk> out = new ArrayList<>();
    byte[] start = IndexedChunk.entryKey(packId, 0);
    try (RocksIterator it = db.iterator(db.packEntries)) {
      for (it.seek(start); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (Bytes.getLong(key, 0) != packId) {
          break;
        }
        out.add(IndexedChunk.fromEntry(key, it.value()));
      }
      db.checkIterator(it);
    }
    return out;
  }

  /**
   * Returns every pack id that has at least one committed entry, by skipping from pack to pack.
   *
   * @return pack ids in increasing order
   */
  public List<Long> packsWithEntries() {
    List<Long> out = new ArrayList<>();
    try (RocksIterator it = db.iterator(db.packEntries)) {
      it.seekToFirst();
      while (it.isValid()) {
        long packId = Bytes.getLong(it.key(), 0);
        out.add(packId);
        if (packId == Long.MAX_VALUE) {
          break;
        }
        it.seek(IndexedChunk.entryKey(packId + 1, 0));
      }
      db.checkIterator(it);
    }
    return out;
  }

  /**
   * Returns lookups since open.
   *
   * @return count
   */
  public long lookups() {
    return lookups.sum();
  }

  /**
   * Returns lookups answered by the filter alone.
   *
   * @return count
   */
  public long filterSkips() {
    return filterSkips.sum();
  }

  /**
   * Returns lookups that read the disk and found the chunk.
   *
   * @return count
   */
  public long diskHits() {
    return diskHits.sum();
  }

  /**
   * Returns the filter's heap footprint.
   *
   * @return bytes
   */
  public long filterBytes() {
    return filter.sizeInBytes();
  }
}
