package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The repository's RocksDB database: the dedup index, the per-pack entry lists, pack states, the
 * object catalog, paged chunk lists and the persistent counters, each in its own column family.
 *
 * <p>Why one database for all of them: a commit touches the index, the catalog and the counters,
 * and a RocksDB write batch is atomic across column families, so they can never disagree after a
 * crash. Commits are written with {@code sync=true}; RocksDB's write-ahead log then groups
 * concurrent synced writes into one fsync.
 *
 * <p>Column families (all keys big-endian so numeric order is byte order):
 *
 * <ul>
 *   <li>{@code chunks}: chunk id (32) to {@link ChunkLocation} (24)
 *   <li>{@code pack_entries}: pack id (8) + offset (8) to chunk id (32) + length (4) + raw length
 *       (4); the committed records of each pack, in file order, for recovery, verify and GC
 *   <li>{@code packs}: pack id (8) to state (1) + sealed length (8)
 *   <li>{@code objects}: UTF-8 key + 0x00 + (MAX - version id) (8) to a sealed version record
 *   <li>{@code chunk_lists}: list id (8) + page (4) to a sealed page of chunk references
 *   <li>{@code counters}: name to a little-endian uint64, updated with the {@code uint64add} merge
 *       operator so concurrent commits add without a read-modify-write race
 *   <li>{@code snapshots}: snapshot id (8) to a sealed snapshot record
 *   <li>{@code gc_marks}: scratch mark set of the running garbage-collection cycle
 *   <li>{@code object_access}: UTF-8 key to tier pin (1) + last recorded read, epoch day (8)
 *   <li>{@code version_tiers}: version row key (as in {@code objects}) to tier (1), for versions
 *       assigned to a tier other than hot
 *   <li>{@code tier_marks}: scratch marks of a tier migration pass, chunk id (32) + tier (1)
 *   <li>{@code default}: id allocator reservations
 * </ul>
 *
 * <p>Thread-safe (RocksDB is); {@link #close()} must not race other calls, which the store's gate
 * guarantees.
 */
public final class RepositoryDb implements AutoCloseable {

  static {
    RocksDB.loadLibrary();
  }

  private final Path path;
  private final RocksDB db;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final WriteOptions syncWrite;
  private final WriteOptions asyncWrite;

  /** Id reservations. */
  public final ColumnFamilyHandle meta;

  /** Chunk id to location. */
  public final ColumnFamilyHandle chunks;

  /** Pack id + offset to chunk entry. */
  public final ColumnFamilyHandle packEntries;

  /** Pack id to state. */
  public final ColumnFamilyHandle packs;

  /** Object catalog. */
  public final ColumnFamilyHandle objects;

  /** Paged chunk lists of large objects. */
  public final ColumnFamilyHandle chunkLists;

  /** Persistent counters. */
  public final ColumnFamilyHandle counters;

  /** Snapshot records: snapshot id (8) to a sealed record. */
  public final ColumnFamilyHandle snapshots;

  /** Scratch mark set of a garbage-collection cycle: chunk id (32) to nothing. */
  public final ColumnFamilyHandle gcMarks;

  /** Per object key: tier pin and last recorded read (tiering). */
  public final ColumnFamilyHandle objectAccess;

  /** Per object version row key: the tier it is assigned to, when not hot (tiering). */
  public final ColumnFamilyHandle versionTiers;

  /** Scratch marks of a tier migration pass: chunk id (32) + tier (1) to nothing. */
  public final ColumnFamilyHandle tierMarks;

  /** Delta chunk id (32) to its base chunk id (32): keeps bases alive for GC. */
  public final ColumnFamilyHandle deltaBases;

  private final WriteOptions unlogged;

  /** Writes issued (every put, delete, batch and range delete); a test hook for O(1) claims. */
  private final java.util.concurrent.atomic.LongAdder writes =
      new java.util.concurrent.atomic.LongAdder();

  private RepositoryDb(Path path, long cacheBytes) throws RocksDBException {
    this.path = path;
    LRUCache cache = track(new LRUCache(cacheBytes));
    BloomFilter bloom = track(new BloomFilter(10, false));
    // Chunk ids are random and values are sealed, but keys (pack ids, offsets, object names) and
    // the location fields are not: compressed, the index at rest is about a quarter smaller.
    // RocksDB compresses only when it writes a table (flush, compaction) in the background, and
    // the block cache holds uncompressed blocks, so the write and lookup paths do not pay for it.
    // zstd for the families read in scans or once per object; LZ4 (decoded ~5x faster) for the
    // chunks family, which the dedup path probes per new chunk.
    ColumnFamilyOptions plain =
        track(
            new ColumnFamilyOptions()
                .setCompressionType(CompressionType.ZSTD_COMPRESSION)
                .setTableFormatConfig(
                    new BlockBasedTableConfig().setBlockCache(cache).setBlockSize(16 << 10)));
    // The chunks family is all point lookups of keys that mostly do not exist: a per-file Bloom
    // filter lets RocksDB answer most of the misses that get past our in-memory filter cheaply.
    ColumnFamilyOptions pointLookups =
        track(
            new ColumnFamilyOptions()
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(
                    new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom)));
    ColumnFamilyOptions counting =
        track(
            new ColumnFamilyOptions()
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setMergeOperator(track(new UInt64AddOperator())));
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
            new ColumnFamilyDescriptor(name("chunks"), pointLookups),
            new ColumnFamilyDescriptor(name("pack_entries"), plain),
            new ColumnFamilyDescriptor(name("packs"), plain),
            new ColumnFamilyDescriptor(name("objects"), plain),
            new ColumnFamilyDescriptor(name("chunk_lists"), plain),
            new ColumnFamilyDescriptor(name("counters"), counting),
            new ColumnFamilyDescriptor(name("snapshots"), plain),
            new ColumnFamilyDescriptor(name("gc_marks"), pointLookups),
            new ColumnFamilyDescriptor(name("object_access"), plain),
            new ColumnFamilyDescriptor(name("version_tiers"), plain),
            new ColumnFamilyDescriptor(name("tier_marks"), plain),
            new ColumnFamilyDescriptor(name("delta_bases"), plain));
    DBOptions options =
        track(
            new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                // A crash can tear the last WAL record; recover every complete write before it.
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setMaxBackgroundJobs(2)
                .setMaxOpenFiles(512));
    this.db = RocksDB.open(options, path.toString(), descriptors, handles);
    this.meta = handles.get(0);
    this.chunks = handles.get(1);
    this.packEntries = handles.get(2);
    this.packs = handles.get(3);
    this.objects = handles.get(4);
    this.chunkLists = handles.get(5);
    this.counters = handles.get(6);
    this.snapshots = handles.get(7);
    this.gcMarks = handles.get(8);
    this.objectAccess = handles.get(9);
    this.versionTiers = handles.get(10);
    this.tierMarks = handles.get(11);
    this.deltaBases = handles.get(12);
    this.syncWrite = track(new WriteOptions().setSync(true));
    // Marks are scratch data of one GC cycle: a crash simply restarts the cycle, so no WAL.
    this.unlogged = track(new WriteOptions().setDisableWAL(true));
    this.asyncWrite = track(new WriteOptions().setSync(false));
  }

  /**
   * Opens (creating if missing) the database in a directory.
   *
   * @param path the database directory
   * @param cacheBytes block cache size
   * @return the open database
   * @throws StorageException if RocksDB cannot open it
   */
  public static RepositoryDb open(Path path, long cacheBytes) {
    try {
      return new RepositoryDb(path, cacheBytes);
    } catch (RocksDBException e) {
      throw new StorageException("cannot open repository index " + path + ": " + e.getMessage(), e);
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private static byte[] name(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Reads a value.
   *
   * @param cf column family
   * @param key key
   * @return the value, or null
   */
  public byte[] get(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw failure("read", e);
    }
  }

  /**
   * Writes one value.
   *
   * @param cf column family
   * @param key key
   * @param value value
   * @param sync whether to fsync the write-ahead log before returning
   */
  public void put(ColumnFamilyHandle cf, byte[] key, byte[] value, boolean sync) {
    try {
      writes.increment();
      db.put(cf, sync ? syncWrite : asyncWrite, key, value);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  /**
   * Deletes one value.
   *
   * @param cf column family
   * @param key key
   * @param sync whether to fsync the write-ahead log before returning
   */
  public void delete(ColumnFamilyHandle cf, byte[] key, boolean sync) {
    try {
      writes.increment();
      db.delete(cf, sync ? syncWrite : asyncWrite, key);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  /**
   * Applies a batch atomically.
   *
   * @param batch the batch (not closed here)
   * @param sync whether to fsync the write-ahead log before returning
   */
  public void write(WriteBatch batch, boolean sync) {
    try {
      writes.increment();
      db.write(sync ? syncWrite : asyncWrite, batch);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  /**
   * Applies a batch without the write-ahead log (scratch data that a crash may lose).
   *
   * @param batch the batch (not closed here)
   */
  public void writeUnlogged(WriteBatch batch) {
    try {
      writes.increment();
      db.write(unlogged, batch);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  /**
   * Takes a consistent read view of the whole database; release it with {@link #releaseSnapshot}.
   *
   * @return the RocksDB snapshot
   */
  public Snapshot snapshot() {
    return db.getSnapshot();
  }

  /**
   * Releases a view from {@link #snapshot()}.
   *
   * @param snapshot the view
   */
  public void releaseSnapshot(Snapshot snapshot) {
    db.releaseSnapshot(snapshot);
  }

  /**
   * Deletes every key in {@code [from, to)}, synchronously durable.
   *
   * @param cf column family
   * @param from first key
   * @param to end key, exclusive
   */
  public void deleteRange(ColumnFamilyHandle cf, byte[] from, byte[] to) {
    try {
      writes.increment();
      db.deleteRange(cf, syncWrite, from, to);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  /**
   * Opens an iterator; the caller closes it.
   *
   * @param cf column family
   * @return an unpositioned iterator over a consistent view
   */
  public RocksIterator iterator(ColumnFamilyHandle cf) {
    return db.newIterator(cf);
  }

  /**
   * Opens an iterator with read options; the caller closes both.
   *
   * @param cf column family
   * @param options read options
   * @return an unpositioned iterator
   */
  public RocksIterator iterator(ColumnFamilyHandle cf, ReadOptions options) {
    return db.newIterator(cf, options);
  }

  /**
   * Reads a counter.
   *
   * @param name counter name
   * @return its value (0 if never written)
   */
  public long counter(byte[] name) {
    return Bytes.fromLittleEndian(get(counters, name));
  }

  /**
   * Adds to a counter inside a batch.
   *
   * @param batch the batch
   * @param name counter name
   * @param delta amount to add
   */
  public void addCounter(WriteBatch batch, byte[] name, long delta) {
    if (delta == 0) {
      return;
    }
    try {
      batch.merge(counters, name, Bytes.littleEndian(delta));
    } catch (RocksDBException e) {
      throw failure("stage", e);
    }
  }

  /**
   * Checks an iterator's status after it became invalid, turning an I/O error into an exception.
   *
   * @param it the iterator
   */
  public void checkIterator(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw failure("scan", e);
    }
  }

  /**
   * Wraps a RocksDB error.
   *
   * @param what the operation
   * @param e the error
   * @return an exception naming the index path
   */
  public StorageException failure(String what, RocksDBException e) {
    return new StorageException(
        "repository index " + path + ": " + what + " failed: " + e.getMessage(), e);
  }

  /**
   * Returns RocksDB's estimate of the number of keys in a column family (cheap, approximate).
   *
   * @param cf column family
   * @return estimated key count
   */
  public long estimateKeys(ColumnFamilyHandle cf) {
    try {
      return db.getLongProperty(cf, "rocksdb.estimate-num-keys");
    } catch (RocksDBException e) {
      throw failure("property", e);
    }
  }

  /**
   * Returns how many writes were issued since open (test hook).
   *
   * @return the count
   */
  public long writeCount() {
    return writes.sum();
  }

  /**
   * Returns the database directory.
   *
   * @return the path
   */
  public Path path() {
    return path;
  }

  @Override
  public void close() {
    // Flush the memtables so the repository at rest holds compact tables and no WAL: otherwise
    // every write since the last flush stays in the log, whose framing of each small batch costs
    // about twice the table size (11 MB vs ~4 MB after two JDK source trees). Best effort: the WAL
    // already made everything durable, so a failed flush (disk full) loses nothing.
    try (org.rocksdb.FlushOptions flush = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
      db.flush(flush, handles);
    } catch (RocksDBException | RuntimeException ignored) {
      // Replayed from the WAL at the next open.
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception ignored) {
        // Native handles cannot fail to close in practice; nothing to do if they did.
      }
    }
  }
}
