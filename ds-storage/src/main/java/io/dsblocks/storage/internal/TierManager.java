package io.dsblocks.storage.internal;

import io.dsblocks.storage.Compression;
import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.Tier;
import io.dsblocks.storage.TierMigrationResult;
import io.dsblocks.storage.TierPolicy;
import io.dsblocks.storage.TierStats;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.index.Catalog;
import io.dsblocks.storage.internal.index.ChunkListReader;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.Counters;
import io.dsblocks.storage.internal.index.Counters.TierCounter;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.index.VersionRecord;
import io.dsblocks.storage.internal.pack.PackTiers;
import io.dsblocks.storage.internal.pipeline.ChunkPipeline;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Tiers: read tracking, the migration pass, explicit moves and the per-tier accounting.
 *
 * <p><b>Where tiers live.</b> Each tier has its own pack directory and {@link
 * io.dsblocks.storage.internal.pack.PackWriter}; a pack's tier is encoded in its id ({@link
 * PackTiers}), so a chunk location names its tier and reads need no extra lookup. Puts always write
 * to the hot tier.
 *
 * <p><b>Assignment.</b> Every object key has a desired tier: its pin (set by {@code moveToTier}) or
 * else the {@link TierPolicy} applied to its age ({@code now - max(last recorded read, creation of
 * its newest version)}, {@code now} from the injected clock). A pass records the desired tier of
 * each version row in {@code version_tiers} (absent means hot), moving the versions' sizes between
 * the per-tier logical counters in the same write.
 *
 * <p><b>Dedup rule.</b> A chunk has one copy, in the hottest tier desired by any version that
 * references it. The pass writes one mark {@code (chunk id, tier)} per reference into the scratch
 * family {@code tier_marks}; because marks sort by id and then tier, a merge join with the {@code
 * chunks} family sees each chunk's hottest mark first. Chunks with no mark (garbage) are left to
 * GC. Marks live on disk, so a pass's memory is one key's rows plus one move batch.
 *
 * <p><b>Moving a chunk</b> (batches of {@value #MOVE_BATCH}): read and authenticate the record
 * (falling back to a replica), decompress, compress and seal it with the target tier's settings,
 * append it to the target tier's pack, fsync (and, with synchronous replication, copy the pack to
 * its nodes), then one synced RocksDB batch points the index at the new record, drops the old pack
 * entry row and adjusts the counters. The old record stays in its pack, valid and readable, so a
 * read that located the chunk before the switch still gets the right bytes; GC sees it as dead
 * space and reclaims it by repacking. A crash before the switch leaves unreferenced records that
 * recovery cuts off; after it, an old record that GC reclaims. Nothing is lost either way.
 *
 * <p><b>Read tracking.</b> Only with an enabled policy. A read puts the key and today's epoch day
 * in an in-memory map, unless that day was already recorded for the key; the map is written to
 * {@code object_access} in one unsynced batch at each pass, at close, or when it reaches {@value
 * #MAX_PENDING} keys. So an object costs at most one index write per day however often it is read,
 * and a crash can lose at most the last unflushed day of reads (objects then look a little older).
 *
 * <p>Thread-safe. Passes run under the store's maintenance lock (one pass, GC, verify or scrub at a
 * time), so no repack moves a chunk under a pass and no sweep deletes one.
 */
final class TierManager {
  static final int MOVE_BATCH = 256;
  static final int MAX_PENDING = 4096;
  private static final int MAX_RECORDED = 1 << 20;
  private static final long DAY_SECONDS = 86_400;
  private static final byte NO_PIN = (byte) 0xff;
  private static final byte[] EMPTY = new byte[0];
  private static final Tier[] TIERS = Tier.values();

  private final DefaultObjectStore store;
  private final Function<Compression, ChunkCompressor> compressors;
  private final ChunkPipeline[] pipelines = new ChunkPipeline[TIERS.length];
  private final TierPolicy policy;
  private final boolean tracking;
  private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> recorded = new ConcurrentHashMap<>();
  private final Object accessLock = new Object();
  private ScheduledExecutorService scheduler;
  private volatile boolean stopping;
  volatile GcHook hook = GcHook.NONE;

  TierManager(DefaultObjectStore store, Function<Compression, ChunkCompressor> compressors) {
    this.store = store;
    this.compressors = compressors;
    this.policy = store.config().tierPolicy();
    this.tracking = policy.enabled();
  }

  /** Starts the background migrator if configured. */
  void start() {
    Duration interval = store.config().tierMigrationInterval();
    if (interval.isZero()) {
      return;
    }
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "dsblocks-storage-tiers");
              t.setDaemon(true);
              return t;
            });
    s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    long nanos = interval.toNanos();
    s.scheduleWithFixedDelay(this::backgroundPass, nanos, nanos, TimeUnit.NANOSECONDS);
    scheduler = s;
  }

  private void backgroundPass() {
    if (stopping) {
      return;
    }
    try {
      Lock l = store.enter();
      try {
        runPass();
      } finally {
        l.unlock();
      }
    } catch (RuntimeException e) {
      // Reported per group through onTierMigrationFailed; the next run tries again.
    }
  }

  /** Stops background passes; a running pass stops at its next batch. Call before the gate. */
  void stopBackground() {
    stopping = true;
    ScheduledExecutorService s = scheduler;
    if (s == null) {
      return;
    }
    s.shutdown();
    boolean interrupted = false;
    while (true) {
      try {
        if (s.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** At close, with the gate's write side held: records the reads not yet written. */
  void close() {
    flushAccess();
  }

  /** Like a crash: unflushed reads are lost. */
  void abandon() {
    pending.clear();
  }

  // ---------------------------------------------------------------- read tracking

  /**
   * Records a read of a key (cheap: at most one map update; no index write on the read path unless
   * the map is full).
   *
   * @param key the key read
   */
  void touched(String key) {
    if (!tracking) {
      return;
    }
    long day = Math.floorDiv(store.config().clock().instant().getEpochSecond(), DAY_SECONDS);
    Long seen = recorded.get(key);
    if (seen != null && seen >= day) {
      return;
    }
    Long before = pending.put(key, day);
    if (before == null && pending.size() >= MAX_PENDING) {
      flushAccess();
    }
  }

  /** Writes the recorded reads in one unsynced batch. */
  void flushAccess() {
    if (pending.isEmpty()) {
      return;
    }
    synchronized (accessLock) {
      try (WriteBatch b = new WriteBatch()) {
        Iterator<Map.Entry<String, Long>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
          Map.Entry<String, Long> e = it.next();
          it.remove();
          byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
          byte[] old = store.db.get(store.db.objectAccess, k);
          long day = Math.max(e.getValue(), old == null ? Long.MIN_VALUE : accessDay(old));
          b.put(store.db.objectAccess, k, access(old == null ? NO_PIN : old[0], day));
          if (recorded.size() >= MAX_RECORDED) {
            recorded.clear(); // bounded memory: at worst one more write per key and day
          }
          recorded.put(e.getKey(), day);
        }
        store.db.write(b, false);
      } catch (RocksDBException e) {
        throw store.db.failure("stage", e);
      }
    }
  }

  private static byte[] access(byte pin, long day) {
    return ByteBuffer.allocate(9).put(pin).putLong(day).array();
  }

  private static long accessDay(byte[] value) {
    return ByteBuffer.wrap(value, 1, 8).getLong();
  }

  private void setPin(String key, byte pin) {
    synchronized (accessLock) {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      byte[] old = store.db.get(store.db.objectAccess, k);
      store.db.put(
          store.db.objectAccess,
          k,
          access(pin, old == null ? Long.MIN_VALUE : accessDay(old)),
          true);
    }
  }

  // ---------------------------------------------------------------- explicit moves

  void moveToTier(String key, Tier tier) {
    VersionRecord latest = store.catalog.latest(key);
    if (latest == null || latest.info().deleteMarker()) {
      throw new ObjectNotFoundException(key, 0);
    }
    setPin(key, (byte) tier.ordinal());
    runPass();
  }

  void clearPin(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    if (store.db.get(store.db.objectAccess, k) != null) {
      setPin(key, NO_PIN);
    }
  }

  Tier versionTier(String key, long versionId) {
    return tierOfRow(Catalog.rowKey(key, versionId));
  }

  private Tier tierOfRow(byte[] rowKey) {
    byte[] v = store.db.get(store.db.versionTiers, rowKey);
    return v == null ? Tier.HOT : TIERS[v[0]];
  }

  // ---------------------------------------------------------------- the pass

  /**
   * Runs one pass. Caller holds the gate.
   *
   * @return what it did
   */
  TierMigrationResult runPass() {
    store.maintenanceLock.lock();
    try {
      return new Pass().run();
    } finally {
      store.maintenanceLock.unlock();
    }
  }

  private void clearMarks() {
    byte[] end = new byte[34];
    Arrays.fill(end, (byte) 0xff);
    store.db.deleteRange(store.db.tierMarks, EMPTY, end);
  }

  private Tier desiredTier(String key, Instant created, Instant now) {
    byte[] a = store.db.get(store.db.objectAccess, key.getBytes(StandardCharsets.UTF_8));
    if (a != null && a[0] != NO_PIN) {
      return TIERS[a[0]];
    }
    if (!policy.enabled()) {
      return Tier.HOT;
    }
    long last = created.getEpochSecond();
    if (a != null) {
      long day = accessDay(a);
      if (day != Long.MIN_VALUE) {
        last = Math.max(last, day * DAY_SECONDS);
      }
    }
    long age = Math.max(0, now.getEpochSecond() - last);
    return policy.tierForAge(Duration.ofSeconds(age));
  }

  private ChunkPipeline pipeline(int tier) {
    synchronized (pipelines) {
      if (pipelines[tier] == null) {
        // Lazily: a tier's compressor (zstd-jni for the defaults) is needed only once data moves.
        pipelines[tier] =
            new ChunkPipeline(
                store.hasher,
                compressors.apply(store.config().tierCompression(TIERS[tier])),
                store.sealer);
      }
      return pipelines[tier];
    }
  }

  /** One migration pass. */
  private final class Pass {
    long keys;
    long reassigned;
    long moved;
    long bytesRead;
    long bytesWritten;

    TierMigrationResult run() {
      flushAccess();
      Instant now = store.config().clock().instant();
      clearMarks();
      assignAndMark(now);
      moveMisplaced();
      clearMarks();
      return new TierMigrationResult(keys, reassigned, moved, bytesRead, bytesWritten);
    }

    private void checkStopping() {
      if (stopping) {
        throw new StorageException("store is closing; tier migration pass stopped");
      }
    }

    private void assignAndMark(Instant now) {
      WriteBatch assign = new WriteBatch();
      WriteBatch marks = new WriteBatch();
      long[] staged = new long[2]; // assignment rows, marks
      long[][] logical = new long[1][TIERS.length];
      try (ReadOptions ro = new ReadOptions().setFillCache(false)) {
        store.catalog.forEachKey(
            "",
            ro,
            rows -> {
              checkStopping();
              keys++;
              List<VersionRecord> recs = new ArrayList<>(rows.size());
              for (Catalog.Row row : rows) {
                recs.add(store.catalog.open(row));
              }
              Tier desired = desiredTier(rows.get(0).key(), recs.get(0).info().created(), now);
              byte[] mark = new byte[33];
              mark[32] = (byte) desired.ordinal();
              try {
                for (int i = 0; i < rows.size(); i++) {
                  VersionRecord rec = recs.get(i);
                  if (rec.info().deleteMarker()) {
                    continue;
                  }
                  byte[] rowKey = rows.get(i).rowKey();
                  Tier current = tierOfRow(rowKey);
                  if (current != desired) {
                    if (desired == Tier.HOT) {
                      assign.delete(store.db.versionTiers, rowKey);
                    } else {
                      assign.put(store.db.versionTiers, rowKey, new byte[] {mark[32]});
                    }
                    long size = rec.info().size();
                    logical[0][current.ordinal()] -= size;
                    logical[0][desired.ordinal()] += size;
                    reassigned++;
                    staged[0]++;
                  }
                  ChunkListReader r = new ChunkListReader(store.catalog, rec.chunks());
                  while (r.hasNext()) {
                    r.next();
                    byte[] m = mark.clone();
                    System.arraycopy(r.id(), 0, m, 0, 32);
                    marks.put(store.db.tierMarks, m, EMPTY);
                    staged[1]++;
                  }
                }
                if (staged[0] >= 1024) {
                  flushAssign(assign, logical[0]);
                  staged[0] = 0;
                }
                if (staged[1] >= 16 * 1024) {
                  store.db.writeUnlogged(marks);
                  marks.clear();
                  staged[1] = 0;
                }
              } catch (RocksDBException e) {
                throw store.db.failure("stage", e);
              }
            });
        flushAssign(assign, logical[0]);
        store.db.writeUnlogged(marks);
      } finally {
        assign.close();
        marks.close();
      }
    }

    private void flushAssign(WriteBatch assign, long[] logical) {
      for (Tier t : TIERS) {
        if (t != Tier.HOT && logical[t.ordinal()] != 0) {
          store.db.addCounter(
              assign, Counters.tier(t, TierCounter.LOGICAL_BYTES), logical[t.ordinal()]);
        }
      }
      Arrays.fill(logical, 0);
      if (assign.count() > 0) {
        store.db.write(assign, true);
        assign.clear();
      }
    }

    private void moveMisplaced() {
      List<IndexedChunk> batch = new ArrayList<>();
      List<Integer> targets = new ArrayList<>();
      try (RocksIterator chunks = store.db.iterator(store.db.chunks);
          RocksIterator marks = store.db.iterator(store.db.tierMarks)) {
        marks.seekToFirst();
        for (chunks.seekToFirst(); chunks.isValid(); chunks.next()) {
          byte[] id = chunks.key();
          while (marks.isValid() && Arrays.compareUnsigned(marks.key(), 0, 32, id, 0, 32) < 0) {
            marks.next();
          }
          if (!marks.isValid()) {
            break;
          }
          byte[] m = marks.key();
          if (Arrays.compareUnsigned(m, 0, 32, id, 0, 32) != 0) {
            continue; // unreferenced: GC's business
          }
          // The first mark of an id is its hottest: marks sort by id, then tier.
          int target = m[32];
          ChunkLocation loc = ChunkLocation.decode(chunks.value());
          if (PackTiers.ordinal(loc.packId()) != target) {
            batch.add(new IndexedChunk(id, loc));
            targets.add(target);
            if (batch.size() >= MOVE_BATCH) {
              checkStopping();
              move(batch, targets);
            }
          }
        }
        store.db.checkIterator(chunks);
        store.db.checkIterator(marks);
      }
      move(batch, targets);
    }

    private void move(List<IndexedChunk> batch, List<Integer> targets) {
      if (batch.isEmpty()) {
        return;
      }
      int n = batch.size();
      int[][] groupChunks = new int[TIERS.length][TIERS.length];
      long[][] groupRead = new long[TIERS.length][TIERS.length];
      long[][] groupWritten = new long[TIERS.length][TIERS.length];
      for (int i = 0; i < n; i++) {
        int from = PackTiers.ordinal(batch.get(i).location().packId());
        groupChunks[from][targets.get(i)]++;
        groupRead[from][targets.get(i)] += batch.get(i).location().length();
      }
      StorageListener listener = store.listener;
      boolean listening = listener != StorageListener.NOOP;
      if (listening) {
        forGroups(
            groupChunks,
            (f, t) ->
                listener.onTierMigrationStarted(
                    TIERS[f], TIERS[t], groupChunks[f][t], groupRead[f][t]));
      }
      try {
        List<IndexedChunk> copies = new ArrayList<>(n);
        Map<Long, Long> syncTo = new HashMap<>();
        for (int i = 0; i < n; i++) {
          IndexedChunk c = batch.get(i);
          ChunkLocation from = c.location();
          byte[] plain = store.readChunkAt(from, c.id(), from.rawLength());
          int target = targets.get(i);
          byte[] sealed = pipeline(target).seal(c.id(), plain, 0, plain.length);
          ChunkLocation to = store.writers[target].append(c.id(), sealed, from.rawLength());
          syncTo.merge(to.packId(), to.end(), Math::max);
          copies.add(new IndexedChunk(c.id(), to));
          groupWritten[PackTiers.ordinal(from.packId())][target] += to.length();
        }
        for (Map.Entry<Long, Long> e : syncTo.entrySet()) {
          store.writerFor(e.getKey()).syncUpTo(e.getKey(), e.getValue());
        }
        if (store.replicator.synchronous()) {
          // The new records must have all their copies before the index points at them.
          for (Long p : syncTo.keySet()) {
            store.replicator.replicateForCommit(p);
          }
        }
        hook.afterCopy(batch.get(0).location().packId());
        try (WriteBatch b = new WriteBatch()) {
          long storedDelta = 0;
          long[][] tierDelta = new long[TIERS.length][3]; // chunks, unique, stored
          for (int i = 0; i < n; i++) {
            ChunkLocation from = batch.get(i).location();
            ChunkLocation to = copies.get(i).location();
            b.delete(store.db.packEntries, IndexedChunk.entryKey(from.packId(), from.offset()));
            store.index.stage(b, copies.get(i));
            storedDelta += to.length() - from.length();
            long[] f = tierDelta[PackTiers.ordinal(from.packId())];
            f[0]--;
            f[1] -= from.rawLength();
            f[2] -= from.length();
            long[] t = tierDelta[PackTiers.ordinal(to.packId())];
            t[0]++;
            t[1] += to.rawLength();
            t[2] += to.length();
          }
          store.db.addCounter(b, Counters.STORED_BYTES, storedDelta);
          for (Tier t : TIERS) {
            if (t != Tier.HOT) {
              long[] d = tierDelta[t.ordinal()];
              store.db.addCounter(b, Counters.tier(t, TierCounter.CHUNKS), d[0]);
              store.db.addCounter(b, Counters.tier(t, TierCounter.UNIQUE_BYTES), d[1]);
              store.db.addCounter(b, Counters.tier(t, TierCounter.STORED_BYTES), d[2]);
            }
          }
          store.db.write(b, true);
        } catch (RocksDBException e) {
          throw store.db.failure("stage", e);
        }
        store.replicator.committed(syncTo.keySet());
        store.replicator.chunksRemoved(batch);
        hook.afterSwitch(batch.get(0).location().packId());
        for (int i = 0; i < n; i++) {
          bytesRead += batch.get(i).location().length();
          bytesWritten += copies.get(i).location().length();
        }
        moved += n;
        if (listening) {
          forGroups(
              groupChunks,
              (f, t) ->
                  listener.onTierMigrationFinished(
                      TIERS[f], TIERS[t], groupChunks[f][t], groupRead[f][t], groupWritten[f][t]));
        }
      } catch (RuntimeException e) {
        if (listening) {
          forGroups(
              groupChunks,
              (f, t) -> listener.onTierMigrationFailed(TIERS[f], TIERS[t], groupChunks[f][t], e));
        }
        throw e;
      } finally {
        batch.clear();
        targets.clear();
      }
    }
  }

  private interface GroupAction {
    void run(int from, int to);
  }

  private static void forGroups(int[][] counts, GroupAction action) {
    for (int f = 0; f < counts.length; f++) {
      for (int t = 0; t < counts[f].length; t++) {
        if (counts[f][t] > 0) {
          try {
            action.run(f, t);
          } catch (RuntimeException ignored) {
            // Listener errors must not break the store.
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- accounting

  /**
   * Stages what garbage collection purging a version row does to the per-tier logical bytes.
   *
   * @param batch the purge batch
   * @param rowKey the purged row
   * @param size the version's size
   */
  void stagePurge(WriteBatch batch, byte[] rowKey, long size) {
    Tier t = tierOfRow(rowKey);
    if (t == Tier.HOT) {
      return;
    }
    try {
      batch.delete(store.db.versionTiers, rowKey);
    } catch (RocksDBException e) {
      throw store.db.failure("stage", e);
    }
    store.db.addCounter(batch, Counters.tier(t, TierCounter.LOGICAL_BYTES), -size);
  }

  /**
   * Stages the per-tier side of a chunk leaving the index (GC sweep) or changing its record length
   * within a tier (repack).
   *
   * @param batch the batch
   * @param packId the chunk's pack
   * @param chunks chunk delta
   * @param unique raw byte delta
   * @param stored record byte delta
   */
  void stageChunkDelta(WriteBatch batch, long packId, long chunks, long unique, long stored) {
    Tier t = PackTiers.tierOf(packId);
    if (t == Tier.HOT) {
      return;
    }
    if (chunks != 0) {
      store.db.addCounter(batch, Counters.tier(t, TierCounter.CHUNKS), chunks);
    }
    if (unique != 0) {
      store.db.addCounter(batch, Counters.tier(t, TierCounter.UNIQUE_BYTES), unique);
    }
    if (stored != 0) {
      store.db.addCounter(batch, Counters.tier(t, TierCounter.STORED_BYTES), stored);
    }
  }

  /**
   * Builds the per-tier stats from the counters (hot = totals minus the colder tiers).
   *
   * @param packCount pack files per tier
   * @param packBytes pack bytes per tier
   * @return the stats
   */
  Map<Tier, TierStats> tierStats(AtomicLong[] packCount, AtomicLong[] packBytes) {
    long[] totals = {
      store.db.counter(Counters.LOGICAL_BYTES),
      store.db.counter(Counters.UNIQUE_BYTES),
      store.db.counter(Counters.STORED_BYTES),
      store.db.counter(Counters.CHUNKS)
    };
    long[][] v = new long[TIERS.length][4];
    for (Tier t : TIERS) {
      if (t == Tier.HOT) {
        continue;
      }
      for (TierCounter c : TierCounter.values()) {
        v[t.ordinal()][c.ordinal()] = store.db.counter(Counters.tier(t, c));
      }
    }
    for (int c = 0; c < 4; c++) {
      v[0][c] = totals[c] - v[1][c] - v[2][c];
    }
    EnumMap<Tier, TierStats> out = new EnumMap<>(Tier.class);
    for (Tier t : TIERS) {
      long[] x = v[t.ordinal()];
      out.put(
          t,
          new TierStats(
              t,
              x[TierCounter.LOGICAL_BYTES.ordinal()],
              x[TierCounter.UNIQUE_BYTES.ordinal()],
              x[TierCounter.STORED_BYTES.ordinal()],
              x[TierCounter.CHUNKS.ordinal()],
              packCount[t.ordinal()].get(),
              packBytes[t.ordinal()].get()));
    }
    return out;
  }

  /**
   * Recounts the per-tier stats by scanning the chunk index, the catalog and the pack directories.
   * Caller holds the gate and the maintenance lock.
   *
   * @param packCount unused (pack files are listed)
   * @param packBytes unused (pack files are measured)
   * @return the stats
   */
  Map<Tier, TierStats> recount(AtomicLong[] packCount, AtomicLong[] packBytes) {
    long[][] v = new long[TIERS.length][6]; // logical, unique, stored, chunks, packs, pack bytes
    try (RocksIterator it = store.db.iterator(store.db.chunks)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        ChunkLocation loc = ChunkLocation.decode(it.value());
        long[] x = v[PackTiers.ordinal(loc.packId())];
        x[1] += loc.rawLength();
        x[2] += loc.length();
        x[3]++;
      }
      store.db.checkIterator(it);
    }
    try (ReadOptions ro = new ReadOptions()) {
      store.catalog.forEachKey(
          "",
          ro,
          rows -> {
            for (Catalog.Row row : rows) {
              VersionRecord rec = store.catalog.open(row);
              v[tierOfRow(row.rowKey()).ordinal()][0] += rec.info().size();
            }
          });
    }
    List<java.nio.file.Path> dirs = store.packDirs();
    for (int t = 0; t < TIERS.length; t++) {
      for (long id : io.dsblocks.storage.internal.pack.PackRecovery.listPacks(dirs.get(t))) {
        v[t][4]++;
        try {
          v[t][5] +=
              java.nio.file.Files.size(
                  dirs.get(t).resolve(io.dsblocks.storage.internal.pack.PackFormat.fileName(id)));
        } catch (java.io.IOException e) {
          throw new StorageException("cannot stat a pack: " + e.getMessage(), e);
        }
      }
    }
    EnumMap<Tier, TierStats> out = new EnumMap<>(Tier.class);
    for (Tier t : TIERS) {
      long[] x = v[t.ordinal()];
      out.put(t, new TierStats(t, x[0], x[1], x[2], x[3], x[4], x[5]));
    }
    return out;
  }
}
