package io.dsblocks.storage.internal;

import io.dsblocks.storage.GcOptions;
import io.dsblocks.storage.GcResult;
import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.ReplicationStats;
import io.dsblocks.storage.ScrubReport;
import io.dsblocks.storage.Snapshots;
import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.StorageStats;
import io.dsblocks.storage.Tier;
import io.dsblocks.storage.TierMigrator;
import io.dsblocks.storage.VerificationReport;
import io.dsblocks.storage.internal.chunk.Chunker;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.crypto.ChunkHasher;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.index.Catalog;
import io.dsblocks.storage.internal.index.ChunkList;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.Counters;
import io.dsblocks.storage.internal.index.DedupIndex;
import io.dsblocks.storage.internal.index.IdAllocator;
import io.dsblocks.storage.internal.index.RepositoryDb;
import io.dsblocks.storage.internal.index.SnapshotCatalog;
import io.dsblocks.storage.internal.index.VersionRecord;
import io.dsblocks.storage.internal.pack.PackFormat;
import io.dsblocks.storage.internal.pack.PackReader;
import io.dsblocks.storage.internal.pack.PackRecovery;
import io.dsblocks.storage.internal.pack.PackTiers;
import io.dsblocks.storage.internal.pack.PackWriter;
import io.dsblocks.storage.internal.pipeline.ChunkPipeline;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.WriteBatch;

/**
 * The repository core behind {@link ObjectStore}: wires the chunker, keyed hasher, compressor and
 * sealer to the pack writer, the dedup index and the catalog.
 *
 * <p>Layout of a repository directory:
 *
 * <pre>
 *   repository   format and chunking parameters (written last at creation)
 *   keys         the key file (wrapped master keys)
 *   lock         OS lock held while open
 *   packs/       append-only pack files, {@code %016x.pack}
 *   index/       RocksDB: dedup index, pack entries, pack states, catalog, counters
 * </pre>
 *
 * <p>Write ordering of a put, and why:
 *
 * <ol>
 *   <li>chunk records are appended to packs (not yet durable, not yet referenced by anything);
 *   <li>the packs are fsynced up to the last record the put needs — before anything points at them,
 *       so an index entry can never name bytes a power loss could take back;
 *   <li>one synced RocksDB batch writes the index entries, the packs' entry rows, the catalog row
 *       and the counter deltas — one atomic step, so the catalog never references a chunk the index
 *       lacks and the counters never disagree with what was committed;
 *   <li>only then are the ids added to the in-memory filter and the put acknowledged.
 * </ol>
 *
 * A crash between 1 and 3 leaves unreferenced bytes, which recovery cuts off; a crash after 3 loses
 * nothing. Pack trailers are written when a pack fills (and at close), after the records they list;
 * recovery rewrites them for packs a crash left unsealed.
 *
 * <p>Thread-safe. A read-write gate protects the native index against use after close: operations
 * take the read side, {@link #close()} and {@link #rebuildIndex()} the write side.
 */
public final class DefaultObjectStore implements ObjectStore {
  /** Index entries (new chunks) a put accumulates before writing them in an intermediate batch. */
  static final int FLUSH_CHUNKS = 4096;

  private static final Tier[] TIERS = Tier.values();

  private final Path dir;
  private final StorageConfig config;
  private final RepositoryLock lock;
  final Chunker chunker;
  final ChunkHasher hasher;
  final ChunkSealer sealer;
  final RepositoryCompressor compressor;
  final ChunkPipeline pipeline;
  final ChunkEncoder encoder;
  final RepositoryDb db;
  final DedupIndex index;
  final Catalog catalog;

  /** The hot tier's writer: where every put writes. */
  final PackWriter packWriter;

  /** One writer per tier, indexed by tier ordinal ({@code writers[0] == packWriter}). */
  final PackWriter[] writers;

  final PackReader packReader;
  final TierManager tiers;
  final IdAllocator versionIds;
  final IdAllocator listIds;
  final CommitWatermark watermark;
  final GcGuard gcGuard = new GcGuard();

  /** Snapshot creation and the start of a GC cycle read the watermark and snapshots under it. */
  final Object snapshotLock = new Object();

  /** One GC (or verify) at a time. */
  final java.util.concurrent.locks.ReentrantLock maintenanceLock =
      new java.util.concurrent.locks.ReentrantLock();

  /**
   * Readers hold the read side from locating a chunk to reading its record; GC holds the write side
   * to delete a pack file whose records it moved, so no read can follow a stale location.
   */
  final ReentrantReadWriteLock relocation = new ReentrantReadWriteLock();

  final SnapshotCatalog snapshotStore;
  final Replicator replicator;
  private volatile GcHook gcHook = GcHook.NONE;
  final ExecutorService executor;
  private final boolean ownsExecutor;
  final ConcurrentHashMap<ChunkKey, PendingChunk> pending = new ConcurrentHashMap<>();
  final StorageListener listener;
  final int segmentSize;
  final int maxSegmentsInFlight;
  final int readAhead;
  private final AtomicLong[] packBytes = new AtomicLong[TIERS.length];
  private final AtomicLong[] packCount = new AtomicLong[TIERS.length];
  private final Path[] tierDirs;
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private final Object[] deleteStripes = new Object[64];
  private final PackRecovery.Result recovery;
  private volatile boolean closed;

  private DefaultObjectStore(Builder b) {
    this.dir = b.dir;
    this.config = b.config;
    this.lock = b.lock;
    this.chunker = b.chunker;
    this.hasher = b.secrets.hasher();
    this.sealer = b.secrets.sealer();
    this.db = b.db;
    this.compressor = new RepositoryCompressor(db, sealer, config.compression(), b.compressor);
    // Delta chunks name their base; reading one reads the base through the normal path.
    this.pipeline = new ChunkPipeline(hasher, compressor, sealer, this::readChunk);
    this.encoder =
        new ChunkEncoder(this, compressor, new io.dsblocks.storage.internal.delta.SketchIndex(15));
    if (config.persistDeltaSketches()) {
      encoder.restoreSketches();
    } else {
      encoder.discardSavedSketches();
    }
    this.index = b.index;
    this.catalog = new Catalog(db, sealer);
    this.packReader = b.reader;
    this.recovery = b.recovery;
    this.tierDirs = b.tierDirs;
    for (int t = 0; t < TIERS.length; t++) {
      long[] found = countPacks(tierDirs[t]);
      packCount[t] = new AtomicLong(found[0]);
      packBytes[t] = new AtomicLong(found[1]);
    }
    this.versionIds = new IdAllocator(db, "version", 1 << 16);
    this.watermark = new CommitWatermark(versionIds);
    this.snapshotStore = new SnapshotCatalog(db, sealer);
    this.listIds = new IdAllocator(db, "list", 1 << 12);
    this.listener = config.listener();
    IdAllocator packIds = new IdAllocator(db, "pack", 1 << 10);
    this.writers = new PackWriter[TIERS.length];
    for (int t = 0; t < TIERS.length; t++) {
      writers[t] =
          new PackWriter(
              tierDirs[t],
              packIds,
              PackTiers.base(TIERS[t]),
              b.options.writeHook(),
              config.packTargetSize(),
              sealer,
              db,
              listener,
              packBytes[t],
              packCount[t]);
    }
    this.packWriter = writers[0];
    this.replicator = new Replicator(this);
    for (PackWriter w : writers) {
      w.onSealed(replicator::sealed);
    }
    this.tiers = new TierManager(this, b.options.compressors());
    if (config.executor().isPresent()) {
      this.executor = config.executor().get();
      this.ownsExecutor = false;
    } else {
      this.executor = Executors.newFixedThreadPool(config.ingestThreads(), daemonThreads());
      this.ownsExecutor = true;
    }
    // A put whose record fills a pack does not wait for the pack's trailer fsync (4-40 ms here):
    // the seal runs on the executor, and close takes back seals it has not started.
    for (PackWriter w : writers) {
      w.sealInBackground(executor);
    }
    int threads =
        ownsExecutor ? config.ingestThreads() : Runtime.getRuntime().availableProcessors();
    // A segment holds whole chunks; at least two maximal chunks so every segment makes progress.
    this.segmentSize = Math.max(1 << 20, 2 * chunker.maxSize());
    this.maxSegmentsInFlight = Math.max(2, 2 * threads);
    this.readAhead = Math.max(2, 2 * threads);
    for (int i = 0; i < deleteStripes.length; i++) {
      deleteStripes[i] = new Object();
    }
  }

  private static long[] countPacks(Path tierDir) {
    long[] out = new long[2];
    for (long id : PackRecovery.listPacks(tierDir)) {
      try {
        out[0]++;
        out[1] += Files.size(tierDir.resolve(PackFormat.fileName(id)));
      } catch (IOException e) {
        throw new StorageException("cannot stat pack in " + tierDir + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * Returns the pack directory of every tier, hot first.
   *
   * @param dir the repository
   * @param config the settings naming colder tiers' directories
   * @return the directories, indexed by tier ordinal
   */
  static Path[] tierDirectories(Path dir, StorageConfig config) {
    Path[] dirs = new Path[TIERS.length];
    for (Tier t : TIERS) {
      dirs[t.ordinal()] =
          t == Tier.HOT
              ? dir.resolve("packs")
              : config
                  .tierDirectory(t)
                  .orElse(dir.resolve("packs-" + t.name().toLowerCase(java.util.Locale.ROOT)));
    }
    return dirs;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "dsblocks-storage-" + n.incrementAndGet());
      // Daemon: a store that was never closed must not keep the JVM alive.
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Creates a new repository, or opens an existing one.
   *
   * @param dir the repository directory
   * @param config settings
   * @param create true to create (fails if a repository exists), false to open (fails if none)
   * @param options key loading, compressors and write hook
   * @return the open store
   */
  public static DefaultObjectStore open(
      Path dir, StorageConfig config, boolean create, StoreOptions options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(options, "options");
    if (create) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new StorageException("cannot create repository directory " + dir, e);
      }
    } else if (!RepositoryDescriptor.exists(dir)) {
      throw new StorageException("no repository at " + dir);
    }
    RepositoryLock lock = RepositoryLock.acquire(dir.resolve("lock"));
    Builder b = new Builder();
    b.dir = dir;
    b.config = config;
    b.options = options;
    b.lock = lock;
    try {
      RepositoryDescriptor descriptor;
      Path keyFile = dir.resolve("keys");
      if (create) {
        if (RepositoryDescriptor.exists(dir)) {
          throw new StorageException("a repository already exists at " + dir);
        }
        // No descriptor means an earlier create did not finish, so no data was ever written
        // under a key file that may be lying here: start over.
        Files.deleteIfExists(keyFile);
        descriptor = RepositoryDescriptor.of(config);
        b.secrets = options.secrets().load(keyFile, true);
        Files.createDirectories(dir.resolve("packs"));
        Files.createDirectories(dir.resolve("index"));
        descriptor.write(dir);
      } else {
        descriptor = RepositoryDescriptor.read(dir);
        // Recovery removes packs the index does not reference. With the index gone that would be
        // every pack, so a missing index is an error to resolve by hand, never a fresh start.
        if (!Files.exists(dir.resolve("index").resolve("CURRENT"))) {
          throw new StorageException(
              "the index of repository "
                  + dir
                  + " is missing ("
                  + dir.resolve("index")
                  + " has no CURRENT file); refusing to open so that no pack is touched");
        }
        // Unlock keys before opening anything else: a wrong passphrase opens nothing.
        b.secrets = options.secrets().load(keyFile, false);
      }
      b.chunker = descriptor.chunker(b.secrets.gearSeed());
      b.compressor = options.compressors().apply(config.compression());
      b.db = RepositoryDb.open(dir.resolve("index"), config.indexCacheBytes());
      b.index = DedupIndex.open(b.db, config.expectedChunks(), config.filterFalsePositiveRate());
      b.tierDirs = tierDirectories(dir, config);
      for (Path d : b.tierDirs) {
        Files.createDirectories(d);
      }
      b.reader = new PackReader(b.tierDirs);
      b.recovery =
          PackRecovery.recover(
              List.of(b.tierDirs),
              b.db,
              b.index,
              b.reader,
              b.secrets.sealer(),
              options.writeHook(),
              config.listener());
      DefaultObjectStore store = new DefaultObjectStore(b);
      try {
        store.replicator.start(b.recovery.damaged());
        store.tiers.start();
      } catch (RuntimeException | Error e) {
        store.close();
        throw e;
      }
      return store;
    } catch (IOException e) {
      b.release();
      throw new StorageException("cannot open repository " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      b.release();
      throw e;
    }
  }

  /** Parts being assembled by {@link #open}, released if opening fails half-way. */
  private static final class Builder {
    Path dir;
    StorageConfig config;
    StoreOptions options;
    RepositoryLock lock;
    RepositorySecrets secrets;
    Chunker chunker;
    ChunkCompressor compressor;
    RepositoryDb db;
    DedupIndex index;
    PackReader reader;
    PackRecovery.Result recovery;
    Path[] tierDirs;

    void release() {
      if (reader != null) {
        reader.closeAll();
      }
      if (db != null) {
        db.close();
      }
      lock.close();
    }
  }

  // ---------------------------------------------------------------- gate

  Lock enter() {
    Lock l = gate.readLock();
    l.lock();
    if (closed) {
      l.unlock();
      throw new StorageException("store " + dir + " is closed");
    }
    return l;
  }

  /**
   * Enters the gate from a read-ahead task on the executor. Barging {@code tryLock} first: a
   * waiting {@link #close()} must not park executor threads, because a put that holds the gate may
   * be waiting for its own ingest tasks queued on the same executor. Only when the write side is
   * actually held (close done, or an index rebuild, which needs no executor) does it wait.
   */
  private Lock enterFromWorker() {
    Lock l = gate.readLock();
    if (!l.tryLock()) {
      if (closed) {
        throw new StorageException("store " + dir + " is closed");
      }
      l.lock();
    }
    if (closed) {
      l.unlock();
      throw new StorageException("store " + dir + " is closed");
    }
    return l;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public ObjectInfo put(String key, InputStream data, Map<String, String> metadata) {
    Validation.key(key);
    Objects.requireNonNull(data, "data");
    Validation.metadata(metadata);
    Lock l = enter();
    try (CommitGroup group = new CommitGroup(this)) {
      try {
        new PutOperation(this, group, key, metadata).run(data);
        return group.commit().get(0);
      } catch (RuntimeException | Error e) {
        group.abort();
        throw e;
      }
    } finally {
      l.unlock();
    }
  }

  @Override
  public Batch batch() {
    Lock l = enter();
    l.unlock();
    return new DefaultBatch(this);
  }

  @Override
  public boolean delete(String key) {
    Validation.key(key);
    ObjectInfo marker;
    Lock l = enter();
    try {
      // Serialise deletes of one key so that two racing deletes do not both report "existed".
      synchronized (deleteStripes[Math.floorMod(key.hashCode(), deleteStripes.length)]) {
        VersionRecord latest = catalog.latest(key);
        if (latest == null || latest.info().deleteMarker()) {
          return false;
        }
        long versionId = watermark.begin();
        try (WriteBatch batch = new WriteBatch()) {
          marker = new ObjectInfo(key, versionId, 0, Map.of(), config.clock().instant(), true);
          catalog.stageVersion(batch, new VersionRecord(marker, ChunkList.EMPTY));
          db.addCounter(batch, Counters.VERSIONS, 1);
          db.write(batch, true);
        } finally {
          watermark.settle(versionId);
        }
      }
    } finally {
      l.unlock();
    }
    notifyCommit(marker, 0, 0);
    return true;
  }

  void notifyCommit(ObjectInfo info, long newChunks, long deduped) {
    if (listener == StorageListener.NOOP) {
      return;
    }
    try {
      listener.onCommit(info, newChunks, deduped);
    } catch (RuntimeException ignored) {
      // Listener errors must not break the store.
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public InputStream get(String key) {
    Validation.key(key);
    VersionRecord rec = live(key);
    return new ObjectReadStream(this, rec, 0, rec.info().size());
  }

  @Override
  public InputStream get(String key, long versionId) {
    Validation.key(key);
    Validation.versionId(versionId);
    VersionRecord rec;
    Lock l = enter();
    try {
      rec = catalog.version(key, versionId);
      if (rec != null) {
        tiers.touched(key);
      }
    } finally {
      l.unlock();
    }
    if (rec == null || rec.info().deleteMarker()) {
      throw new ObjectNotFoundException(key, versionId);
    }
    return new ObjectReadStream(this, rec, 0, rec.info().size());
  }

  @Override
  public InputStream getRange(String key, long offset, long length) {
    Validation.key(key);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0 but was " + offset);
    }
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0 but was " + length);
    }
    VersionRecord rec = live(key);
    long size = rec.info().size();
    if (offset > size) {
      throw new IllegalArgumentException(
          "offset must be in [0, " + size + "] (the size of '" + key + "') but was " + offset);
    }
    long end = length > size - offset ? size : offset + length;
    return new ObjectReadStream(this, rec, offset, end);
  }

  private VersionRecord live(String key) {
    VersionRecord rec;
    Lock l = enter();
    try {
      rec = catalog.latest(key);
      if (rec != null && !rec.info().deleteMarker()) {
        tiers.touched(key);
      }
    } finally {
      l.unlock();
    }
    if (rec == null || rec.info().deleteMarker()) {
      throw new ObjectNotFoundException(key, 0);
    }
    return rec;
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    return list(prefix, "", Integer.MAX_VALUE);
  }

  @Override
  public List<ObjectInfo> list(String prefix, String startAfter, int limit) {
    Validation.prefix("prefix", prefix);
    Validation.prefix("startAfter", startAfter);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1 but was " + limit);
    }
    Lock l = enter();
    try {
      return catalog.list(prefix, startAfter, limit);
    } finally {
      l.unlock();
    }
  }

  @Override
  public List<ObjectInfo> versions(String key) {
    Validation.key(key);
    Lock l = enter();
    try {
      return catalog.versions(key);
    } finally {
      l.unlock();
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key) {
    Validation.key(key);
    Lock l = enter();
    try {
      VersionRecord rec = catalog.latest(key);
      return rec == null || rec.info().deleteMarker() ? Optional.empty() : Optional.of(rec.info());
    } finally {
      l.unlock();
    }
  }

  /**
   * Reads, authenticates and decompresses one chunk. Caller holds the gate.
   *
   * @param id chunk id
   * @param rawLength expected plaintext length
   * @return the plaintext
   * @throws StorageCorruptionException naming the pack, offset and chunk
   */
  byte[] readChunk(byte[] id, int rawLength) {
    Lock r = relocation.readLock();
    r.lock();
    try {
      ChunkLocation loc = index.locate(id);
      if (loc == null) {
        throw new StorageCorruptionException(
            "chunk " + Bytes.shortId(id) + " is missing from the index");
      }
      return readChunkAt(loc, id, rawLength);
    } finally {
      r.unlock();
    }
  }

  /**
   * Reads, authenticates and decompresses the record at a location.
   *
   * @param loc where
   * @param id the chunk id expected there
   * @param rawLength expected plaintext length
   * @return the plaintext
   * @throws StorageCorruptionException naming the pack, offset and chunk
   */
  byte[] readChunkAt(ChunkLocation loc, byte[] id, int rawLength) {
    try {
      return readChunkAtLocal(loc, id, rawLength);
    } catch (StorageCorruptionException e) {
      if (!replicator.enabled() || isUnsealed(loc.packId())) {
        throw e;
      }
      // The local copy is missing or damaged: a replica answers and repairs it.
      return replicator.readFromReplica(loc, id, rawLength, e);
    }
  }

  /**
   * Reads the record at a location from the local copy only (verify reports local damage as it is).
   *
   * @param loc where
   * @param id the chunk id expected there
   * @param rawLength expected plaintext length
   * @return the plaintext
   * @throws StorageCorruptionException naming the pack, offset and chunk
   */
  byte[] readChunkAtLocal(ChunkLocation loc, byte[] id, int rawLength) {
    return decode(packReader.readRecord(loc, id), loc, id, rawLength);
  }

  /**
   * Authenticates, decompresses and re-hashes a record already checked by {@link
   * PackFormat#checkRecord}.
   *
   * @param record the whole record
   * @param loc where it came from (for messages)
   * @param id the chunk id
   * @param rawLength expected plaintext length
   * @return the plaintext
   * @throws StorageCorruptionException naming the pack, offset and chunk
   */
  byte[] decode(byte[] record, ChunkLocation loc, byte[] id, int rawLength) {
    byte[] plain;
    try {
      // Authenticates (the id is associated data), decompresses and re-hashes.
      plain =
          pipeline.open(
              id,
              record,
              PackFormat.RECORD_HEADER_LENGTH,
              record.length - PackFormat.RECORD_HEADER_LENGTH);
    } catch (StorageCorruptionException e) {
      throw new StorageCorruptionException(where(loc, id) + ": " + e.getMessage(), e);
    }
    if (plain.length != rawLength) {
      throw new StorageCorruptionException(
          where(loc, id) + ": decoded " + plain.length + " bytes, expected " + rawLength);
    }
    return plain;
  }

  /** Names a record for messages; built only on failure (it formats, costly per chunk read). */
  private static String where(ChunkLocation loc, byte[] id) {
    return PackFormat.fileName(loc.packId())
        + " offset "
        + loc.offset()
        + " (chunk "
        + Bytes.shortId(id)
        + ")";
  }

  /**
   * Reads a chunk of an object for a stream, under the gate, naming the object on corruption.
   *
   * @param info the version being read
   * @param id chunk id
   * @param rawLength expected length
   * @param objectOffset where the chunk starts in the object
   * @return the plaintext
   */
  byte[] readObjectChunk(ObjectInfo info, byte[] id, int rawLength, long objectOffset) {
    Lock l = enterFromWorker();
    try {
      return readChunk(id, rawLength);
    } catch (StorageCorruptionException e) {
      StorageCorruptionException named =
          new StorageCorruptionException(
              "object '"
                  + info.key()
                  + "' version "
                  + info.versionId()
                  + " at byte "
                  + objectOffset
                  + ": "
                  + e.getMessage(),
              e);
      if (listener != StorageListener.NOOP) {
        try {
          listener.onCorruption(named);
        } catch (RuntimeException ignored) {
          // Listener errors must not hide the corruption.
        }
      }
      throw named;
    } finally {
      l.unlock();
    }
  }

  // ---------------------------------------------------------------- maintenance

  @Override
  public StorageStats stats() {
    Lock l = enter();
    try {
      long packs = 0;
      long bytes = 0;
      for (int t = 0; t < TIERS.length; t++) {
        packs += packCount[t].get();
        bytes += packBytes[t].get();
      }
      return new StorageStats(
          db.counter(Counters.VERSIONS),
          db.counter(Counters.LOGICAL_BYTES),
          db.counter(Counters.UNIQUE_BYTES),
          db.counter(Counters.STORED_BYTES),
          db.counter(Counters.CHUNKS),
          db.counter(Counters.DEDUPED_CHUNKS),
          packs,
          bytes,
          index.lookups(),
          index.filterSkips(),
          db.counter(Counters.RECLAIMED_BYTES),
          tiers.tierStats(packCount, packBytes));
    } finally {
      l.unlock();
    }
  }

  @Override
  public VerificationReport verify() {
    Lock l = enter();
    maintenanceLock.lock();
    try {
      return new Verifier(this).run();
    } finally {
      maintenanceLock.unlock();
      l.unlock();
    }
  }

  @Override
  public ScrubReport scrub(long rateLimitBytesPerSecond) {
    return scrub(
        rateLimitBytesPerSecond,
        System::nanoTime,
        java.util.concurrent.locks.LockSupport::parkNanos);
  }

  /**
   * Scrubs with an injected clock and parker (tests).
   *
   * @param rate bytes per second
   * @param ticker nanosecond clock
   * @param parker parks for the given nanoseconds
   * @return the report
   */
  ScrubReport scrub(
      long rate, java.util.function.LongSupplier ticker, java.util.function.LongConsumer parker) {
    io.dsblocks.storage.internal.replica.Pacer pacer =
        new io.dsblocks.storage.internal.replica.Pacer(rate, ticker, parker);
    Lock l = enter();
    maintenanceLock.lock();
    try {
      return new Scrubber(this, pacer).run();
    } finally {
      maintenanceLock.unlock();
      l.unlock();
    }
  }

  @Override
  public void moveToTier(String key, Tier tier) {
    Validation.key(key);
    Objects.requireNonNull(tier, "tier");
    Lock l = enter();
    try {
      tiers.moveToTier(key, tier);
    } finally {
      l.unlock();
    }
  }

  @Override
  public void clearTierPin(String key) {
    Validation.key(key);
    Lock l = enter();
    try {
      tiers.clearPin(key);
    } finally {
      l.unlock();
    }
  }

  @Override
  public Optional<Tier> tierOf(String key) {
    Validation.key(key);
    Lock l = enter();
    try {
      VersionRecord rec = catalog.latest(key);
      if (rec == null || rec.info().deleteMarker()) {
        return Optional.empty();
      }
      return Optional.of(tiers.versionTier(key, rec.info().versionId()));
    } finally {
      l.unlock();
    }
  }

  @Override
  public TierMigrator tierMigrator() {
    return () -> {
      Lock l = enter();
      try {
        return tiers.runPass();
      } finally {
        l.unlock();
      }
    };
  }

  /**
   * Installs a hook that sees the steps of a tier migration (crash tests).
   *
   * @param hook the hook
   */
  void tierHookForTesting(GcHook hook) {
    tiers.hook = hook;
  }

  /**
   * Recounts the space accounting by scanning the index and catalog (tests: compare with {@link
   * #stats()}, which is maintained incrementally).
   *
   * @return per-tier stats from a full scan
   */
  public Map<Tier, io.dsblocks.storage.TierStats> recountTierStats() {
    Lock l = enter();
    maintenanceLock.lock();
    try {
      return tiers.recount(packCount, packBytes);
    } finally {
      maintenanceLock.unlock();
      l.unlock();
    }
  }

  @Override
  public ReplicationStats replicationStats() {
    return replicator.stats();
  }

  @Override
  public Snapshots snapshots() {
    return new DefaultSnapshots(this);
  }

  @Override
  public GcResult collectGarbage(GcOptions options) {
    java.util.Objects.requireNonNull(options, "options");
    Lock l = enter();
    maintenanceLock.lock();
    try {
      return new GarbageCollector(this, options, gcHook).run();
    } finally {
      maintenanceLock.unlock();
      l.unlock();
    }
  }

  /**
   * Installs a hook that sees the steps of a repack (crash tests).
   *
   * @param hook the hook
   */
  void gcHookForTesting(GcHook hook) {
    this.gcHook = hook;
  }

  @Override
  public long rebuildIndex() {
    Lock l = gate.writeLock();
    l.lock();
    try {
      if (closed) {
        throw new StorageException("store " + dir + " is closed");
      }
      return new IndexRebuilder(this).run();
    } finally {
      l.unlock();
    }
  }

  /**
   * Returns what open-time recovery found.
   *
   * @return the recovery result
   */
  public PackRecovery.Result recovery() {
    return recovery;
  }

  /**
   * Returns the underlying database (tests and tools).
   *
   * @return the database
   */
  public RepositoryDb db() {
    return db;
  }

  /**
   * Returns the dedup index (tests and tools).
   *
   * @return the index
   */
  public DedupIndex index() {
    return index;
  }

  /** Threads waiting on the gate (tests). */
  int gateQueueLength() {
    return gate.getQueueLength();
  }

  Path packsDir() {
    return dir.resolve("packs");
  }

  void adjustPacks(long packId, long countDelta, long bytesDelta) {
    int t = PackTiers.ordinal(packId);
    packCount[t].addAndGet(countDelta);
    packBytes[t].addAndGet(bytesDelta);
  }

  /**
   * Returns the pack directories of all tiers, hot first.
   *
   * @return the directories
   */
  List<Path> packDirs() {
    return List.of(tierDirs);
  }

  /**
   * Returns the writer of the tier a pack belongs to.
   *
   * @param packId the pack
   * @return its tier's writer
   */
  PackWriter writerFor(long packId) {
    return writers[PackTiers.ordinal(packId)];
  }

  /**
   * Returns whether a pack of any tier is still being written in this run.
   *
   * @param packId the pack
   * @return true if unsealed
   */
  boolean isUnsealed(long packId) {
    return writerFor(packId).isUnsealed(packId);
  }

  /**
   * Lists the pack ids present in every tier's directory.
   *
   * @return ids in increasing order
   */
  List<Long> listAllPacks() {
    java.util.ArrayList<Long> ids = new java.util.ArrayList<>();
    for (Path d : tierDirs) {
      ids.addAll(PackRecovery.listPacks(d));
    }
    ids.sort(null);
    return ids;
  }

  StorageConfig config() {
    return config;
  }

  @Override
  public Path directory() {
    return dir;
  }

  @Override
  public void close() {
    // Before the gate: a background pass holds its read side until it notices the stop.
    tiers.stopBackground();
    Lock l = gate.writeLock();
    l.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        tiers.close();
        // Stop the copier before sealing: what it has not copied is found again at the next open.
        replicator.close();
        for (PackWriter w : writers) {
          w.close();
        }
        if (config.persistDeltaSketches()) {
          encoder.saveSketches();
        }
      } finally {
        packReader.closeAll();
        db.close();
        if (ownsExecutor) {
          executor.shutdown();
        }
        lock.close();
      }
    } finally {
      l.unlock();
    }
  }

  /**
   * Releases the store like a killed process would: unsealed packs keep no trailer and nothing is
   * flushed beyond what commits already made durable. For recovery tests only.
   */
  void abandonForTesting() {
    tiers.stopBackground();
    Lock l = gate.writeLock();
    l.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      tiers.abandon();
      replicator.close();
      for (PackWriter w : writers) {
        w.abandon();
      }
      packReader.closeAll();
      db.close();
      if (ownsExecutor) {
        executor.shutdown();
      }
      lock.close();
    } finally {
      l.unlock();
    }
  }

  @Override
  public String toString() {
    return "ObjectStore[" + dir + "]";
  }
}
