package io.dsblocks.storage.internal.pack;

import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.internal.Latches;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IdAllocator;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.index.RepositoryDb;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends chunk records to the current pack, rotates to a new pack at the target size, seals full
 * packs with their trailer, and makes written records durable on request.
 *
 * <p>Concurrency: one lock serialises appends. An append copies its record into the pack's
 * write-combining buffer ({@value #COMBINE_BYTES} bytes) under that lock, so it is held for the
 * copy of a few KiB; a full buffer is handed over and written outside the lock, in offset order, by
 * one of the appending threads (a record larger than a quarter of the buffer is handed over as it
 * is, in its own span). Many puts interleave their records in the same pack. Durability is
 * requested per commit with {@link #syncUpTo}, which writes what the buffer still holds and
 * coalesces: one fsync covers every record written before it started, so concurrent commits share
 * fsyncs (group commit). Sealing happens outside the append lock while appends continue into the
 * next pack: on the thread whose append filled the pack, or, once {@link #sealInBackground} gave an
 * executor, there (the append that fills a pack then returns without waiting for the trailer's
 * fsync, 4-40 ms here). A pack waiting for its seal is unsealed like the current one: commits fsync
 * it through {@link #syncUpTo}, readers and recovery treat it as unsealed. {@link #close} and
 * {@link #abandon} take back seals that have not started (close seals those packs itself) and wait
 * for running ones, so no seal touches a pack or the index after them; {@link #sealCurrent} (before
 * an index rebuild) runs them at once.
 *
 * <p>The file always holds a prefix of the pack's records (spans are written in order, one at a
 * time), so a crash leaves at most a torn tail, as before; records still in the buffer at a crash
 * were not acknowledged (a commit writes and fsyncs them first).
 *
 * <p>Failure: if a write fails (disk full, I/O error) the pack is abandoned for appends — its
 * records before the failed write stay valid and readable, the torn tail is ignored — and the next
 * append starts a new pack. Records of the failed write and after it were lost although their
 * appends had returned: {@link #syncUpTo} refuses them with the write's error, so the commits that
 * reference them fail and no index entry points at them. A span written by one thread holds other
 * puts' records, so a channel closed by an interrupt is reopened and the span written again.
 * Abandoned packs are sealed (with their valid records) at close if the disk allows, otherwise by
 * recovery at the next open.
 *
 * <p>Thread-safe.
 */
public final class PackWriter {
  private final Path dir;
  private final IdAllocator packIds;
  private final long idBase;
  private final PackWriteHook hook;
  private final long targetSize;
  private final ChunkSealer sealer;
  private final RepositoryDb db;
  private final StorageListener listener;
  private final AtomicLong packBytes;
  private final AtomicLong packCount;

  /**
   * Size of a pack's write-combining buffer. Appends copy their records into it under the append
   * lock (a copy of a few KiB instead of a write: JFR of the JDK-tree backup had the appending
   * threads parked on that lock for about 5% of their time while one of them wrote); a full buffer
   * is handed over and written, in offset order, by whichever appending thread finds the pack's
   * flush lock free, outside the append lock. A commit writes the rest of the buffer before its
   * fsync ({@link #syncUpTo}).
   */
  public static final int COMBINE_BYTES = 128 << 10;

  /** Spare combining buffers kept for reuse (at most 8; more are left to the collector). */
  private final java.util.concurrent.ArrayBlockingQueue<ByteBuffer> spareBuffers =
      new java.util.concurrent.ArrayBlockingQueue<>(8);

  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentHashMap<Long, OpenPack> unsealed = new ConcurrentHashMap<>();

  /**
   * Packs of this run where a write failed, sealed or not: records past the failure were lost after
   * their appends returned, and {@link #syncUpTo} must refuse them even once the pack is sealed.
   */
  private final ConcurrentHashMap<Long, OpenPack> failedPacks = new ConcurrentHashMap<>();

  private OpenPack current;
  private boolean closed;

  /**
   * Set by {@link #abandon}: no write is retried after it (the files stay as a crash left them).
   */
  private volatile boolean abandoned;

  /** Told the id of every pack sealed in this run (replication); set once before use. */
  private volatile java.util.function.LongConsumer sealedHook = id -> {};

  /** Where full packs are sealed; null: on the appending thread. Set once before use. */
  private volatile Executor sealExecutor;

  /** Background seals submitted and not finished or taken back (registered under the lock). */
  private final Set<SealTask> pendingSeals = ConcurrentHashMap.newKeySet();

  /**
   * Creates a writer; no pack is created until the first append.
   *
   * @param dir the packs directory
   * @param packIds pack id allocator
   * @param hook write hook (tests)
   * @param targetSize size at which a pack is sealed
   * @param sealer seals trailers
   * @param db records sealed packs
   * @param listener receives seal events
   * @param packBytes running total of pack bytes, shared with the store's stats
   * @param packCount running number of packs, shared with the store's stats
   */
  public PackWriter(
      Path dir,
      IdAllocator packIds,
      PackWriteHook hook,
      long targetSize,
      ChunkSealer sealer,
      RepositoryDb db,
      StorageListener listener,
      AtomicLong packBytes,
      AtomicLong packCount) {
    this(dir, packIds, 0, hook, targetSize, sealer, db, listener, packBytes, packCount);
  }

  /**
   * Creates a writer for a tier: its pack ids carry the tier's bits ({@link PackTiers#base}).
   *
   * @param dir the tier's packs directory
   * @param packIds pack id allocator (shared by all tiers)
   * @param idBase added to every allocated id
   * @param hook write hook (tests)
   * @param targetSize size at which a pack is sealed
   * @param sealer seals trailers
   * @param db records sealed packs
   * @param listener receives seal events
   * @param packBytes running total of this writer's pack bytes
   * @param packCount running number of this writer's packs
   */
  public PackWriter(
      Path dir,
      IdAllocator packIds,
      long idBase,
      PackWriteHook hook,
      long targetSize,
      ChunkSealer sealer,
      RepositoryDb db,
      StorageListener listener,
      AtomicLong packBytes,
      AtomicLong packCount) {
    this.dir = dir;
    this.packIds = packIds;
    this.idBase = idBase;
    this.hook = hook;
    this.targetSize = targetSize;
    this.sealer = sealer;
    this.db = db;
    this.listener = listener;
    this.packBytes = packBytes;
    this.packCount = packCount;
  }

  /**
   * Appends one record.
   *
   * @param id chunk id
   * @param sealed the sealed chunk
   * @param rawLength plaintext length
   * @return where it was written (not yet written to the file nor durable: see {@link #syncUpTo})
   * @throws StorageException if the store is closed or a new pack cannot be created (a failed write
   *     is reported by {@link #syncUpTo})
   */
  public ChunkLocation append(byte[] id, byte[] sealed, int rawLength) {
    byte[] header = PackFormat.recordHeader(id, rawLength, sealed);
    int total = PackFormat.RECORD_HEADER_LENGTH + sealed.length;
    OpenPack p;
    OpenPack toSeal = null;
    SealTask background = null;
    ChunkLocation location;
    boolean handedOver = false;
    lock.lock();
    try {
      if (closed) {
        throw new StorageException("store is closed");
      }
      p = current;
      if (p == null) {
        p = current = createPack();
      }
      long offset = p.writePos;
      if (total > COMBINE_BYTES / 4) {
        // Handed over as it is (both arrays belong to this record alone): a copy would cost more
        // than the second write it saves.
        p.handOver();
        p.spans.add(
            new Span(
                offset, new ByteBuffer[] {ByteBuffer.wrap(header), ByteBuffer.wrap(sealed)}, null));
        handedOver = true;
      } else {
        if (p.buf != null && p.buf.remaining() < total) {
          handedOver = p.handOver();
        }
        if (p.buf == null) {
          p.buf = takeBuffer();
          p.bufStart = offset;
        }
        p.buf.put(header).put(sealed);
      }
      p.writePos = offset + total;
      location = new ChunkLocation(p.id, offset, total, rawLength);
      p.entries.add(new IndexedChunk(id, location));
      packBytes.addAndGet(total);
      if (p.writePos >= targetSize) {
        current = null;
        handedOver |= p.handOver();
        if (sealExecutor != null) {
          // Registered before the lock is released: a close that follows sees it.
          background = new SealTask(p);
          pendingSeals.add(background);
        } else {
          toSeal = p;
        }
      }
    } finally {
      lock.unlock();
    }
    if (handedOver) {
      drainIfIdle(p);
    }
    if (toSeal != null) {
      sealQuietly(toSeal);
    } else if (background != null) {
      try {
        sealExecutor.execute(background);
      } catch (RejectedExecutionException e) {
        background.run(); // a shut-down or saturated executor: seal here, as without one
      }
    }
    return location;
  }

  /**
   * Writes a pack's handed-over spans, in order, unless another thread is writing them (it then
   * writes ours too: it checks again after unlocking, so no span is left behind).
   */
  private void drainIfIdle(OpenPack p) {
    while (!p.spans.isEmpty() && p.flushLock.tryLock()) {
      try {
        writeSpans(p);
      } finally {
        p.flushLock.unlock();
      }
    }
  }

  /** Writes every span handed over so far, waiting for a write in progress on another thread. */
  private void drain(OpenPack p) {
    p.flushLock.lock();
    try {
      writeSpans(p);
    } finally {
      p.flushLock.unlock();
    }
  }

  /** Called with the pack's flush lock held. */
  private void writeSpans(OpenPack p) {
    Span s;
    while ((s = p.spans.peek()) != null) {
      if (p.failure == null) {
        try {
          writeSpan(p, s);
          p.completedPos = s.end();
        } catch (IOException e) {
          failed(p, s.start, e);
        }
      }
      p.spans.poll();
      if (s.pooled != null) {
        giveBack(s.pooled);
      }
    }
  }

  /**
   * Writes one span. A span holds records of many puts, so a channel closed by an interrupt (of
   * this thread or of another one using the channel) does not fail it: it is written again through
   * a new channel, unless the writer was abandoned.
   */
  private void writeSpan(OpenPack p, Span s) throws IOException {
    try {
      PackFiles.write(p.channel, p.path, hook, s.start, s.buffers);
    } catch (java.nio.channels.ClosedChannelException e) {
      if (abandoned) {
        throw e;
      }
      boolean interrupted = Thread.interrupted();
      try {
        p.channel = FileChannel.open(p.path, StandardOpenOption.WRITE);
        for (ByteBuffer b : s.buffers) {
          b.rewind();
        }
        PackFiles.write(p.channel, p.path, hook, s.start, s.buffers);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * Records a failed write: the pack's tail from {@code at} on is unknown, so appends move to a new
   * pack; its records before {@code at} stay valid. Records after it were lost: their appends had
   * returned, so the commits that reference them fail (see {@link #syncUpTo}).
   */
  private void failed(OpenPack p, long at, IOException e) {
    lock.lock();
    try {
      p.failure = e;
      failedPacks.put(p.id, p);
      if (current == p) {
        current = null;
      }
      packBytes.addAndGet(-(p.writePos - at));
    } finally {
      lock.unlock();
    }
  }

  private static StorageException writeFailure(OpenPack p) {
    IOException e = p.failure;
    return new StorageException(
        "writing pack "
            + p.path
            + " at offset "
            + p.completedPos
            + " failed: "
            + (e == null ? "the pack was closed" : e.getMessage()),
        e);
  }

  private ByteBuffer takeBuffer() {
    ByteBuffer b = spareBuffers.poll();
    return b != null ? b : ByteBuffer.allocateDirect(COMBINE_BYTES);
  }

  private void giveBack(ByteBuffer b) {
    b.clear();
    spareBuffers.offer(b); // dropped if 8 are spare already
  }

  /** Called with the lock held. */
  private OpenPack createPack() {
    long id = idBase | packIds.next();
    Path path = dir.resolve(PackFormat.fileName(id));
    FileChannel channel = null;
    try {
      channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      PackFiles.write(channel, path, hook, 0, ByteBuffer.wrap(PackFormat.header(id)));
      channel.force(true);
      // The new directory entry must be durable before any commit points into this file.
      PackFiles.syncDirectory(dir);
    } catch (IOException e) {
      closeQuietly(channel);
      try {
        Files.deleteIfExists(path);
      } catch (IOException ignored) {
        // Recovery removes packs without committed records at the next open.
      }
      throw new StorageException("cannot create pack " + path + ": " + e.getMessage(), e);
    }
    OpenPack p = new OpenPack(id, path, channel);
    unsealed.put(id, p);
    packBytes.addAndGet(PackFormat.HEADER_LENGTH);
    packCount.incrementAndGet();
    return p;
  }

  /**
   * Makes a pack durable up to {@code end}: returns at once if it already is (or is sealed),
   * otherwise writes the records still in its combining buffer and fsyncs it, covering every record
   * written so far.
   *
   * @param packId the pack
   * @param end offset that must be durable
   * @throws StorageException if a write of the records before {@code end} failed, or the fsync
   */
  public void syncUpTo(long packId, long end) {
    OpenPack p = unsealed.get(packId);
    if (p == null) {
      p = failedPacks.get(packId);
      if (p == null) {
        return; // Sealed (its trailer was fsynced after every record) or from an earlier run.
      }
    }
    if (p.completedPos < end) {
      if (!p.sealed) {
        lock.lock();
        try {
          if (p.buf != null && p.bufStart < end) {
            p.handOver();
          }
        } finally {
          lock.unlock();
        }
        drain(p);
      }
      if (p.completedPos < end) {
        throw writeFailure(p);
      }
    }
    try {
      p.syncTo(end);
    } catch (IOException e) {
      throw new StorageException("fsync of pack " + p.path + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Returns whether a pack is still being written or waiting to be sealed in this run.
   *
   * @param packId the pack
   * @return true if unsealed
   */
  public boolean isUnsealed(long packId) {
    return unsealed.containsKey(packId);
  }

  /**
   * Installs a callback told the id of each pack once its trailer is durable (the replicator queues
   * it for copying). Called on the sealing thread; must be fast and must not throw.
   *
   * @param hook the callback
   */
  public void onSealed(java.util.function.LongConsumer hook) {
    this.sealedHook = java.util.Objects.requireNonNull(hook, "hook");
  }

  /**
   * Seals full packs on {@code executor} instead of the appending thread. The executor must run
   * tasks eventually or reject them (a rejected seal runs on the appending thread); tasks it never
   * runs are taken back by {@link #close}. Call once, before appends start.
   *
   * @param executor runs seals
   */
  public void sealInBackground(Executor executor) {
    this.sealExecutor = java.util.Objects.requireNonNull(executor, "executor");
  }

  /** One background seal; runs at most once, on the executor or taken back by close/abandon. */
  private final class SealTask implements Runnable {
    final OpenPack pack;
    final AtomicBoolean claimed = new AtomicBoolean();
    final CountDownLatch done = new CountDownLatch(1);

    SealTask(OpenPack pack) {
      this.pack = pack;
    }

    @Override
    public void run() {
      claim(true);
    }

    /**
     * Claims the task unless another thread did; seals (if {@code seal}) and retires it.
     *
     * @param seal whether to seal the pack (false: take the task back, leaving the pack unsealed)
     * @return false if another thread claimed it first
     */
    boolean claim(boolean seal) {
      if (!claimed.compareAndSet(false, true)) {
        return false;
      }
      try {
        if (seal) {
          sealQuietly(pack);
        }
      } finally {
        pendingSeals.remove(this);
        done.countDown();
      }
      return true;
    }
  }

  /**
   * Settles every background seal registered so far: one not started yet is sealed here ({@code
   * seal}) or taken back, one already running is waited for (it ends in bounded time). Close and
   * abandon call it after {@code closed} is set, so no new one is registered.
   */
  private void settleBackgroundSeals(boolean seal) {
    for (SealTask t : new ArrayList<>(pendingSeals)) {
      if (!t.claim(seal)) {
        Latches.awaitUninterruptibly(t.done);
      }
    }
  }

  /**
   * Seals a pack now, even if it is the one being appended to (appends then move to a new pack), so
   * that it can be copied whole. Synchronous replication calls this for every pack a commit
   * references: replicas only ever hold sealed, immutable packs. Returns at once if the pack is
   * already sealed or is not from this run.
   *
   * @param packId the pack
   * @throws StorageException if the trailer cannot be written (the pack stays unsealed)
   */
  public void sealNow(long packId) {
    OpenPack p = unsealed.get(packId);
    if (p == null) {
      return;
    }
    lock.lock();
    try {
      if (current == p) {
        current = null;
      }
    } finally {
      lock.unlock();
    }
    try {
      seal(p);
    } catch (IOException | RuntimeException e) {
      throw new StorageException("cannot seal pack " + p.path + ": " + e.getMessage(), e);
    }
    if (!p.sealed) {
      throw new StorageException("pack " + p.path + " could not be sealed");
    }
  }

  /**
   * Seals the current pack and every full pack still waiting for its background seal, now (before
   * an index rebuild, which indexes only packs with a trailer).
   */
  public void sealCurrent() {
    OpenPack p;
    lock.lock();
    try {
      p = current;
      current = null;
    } finally {
      lock.unlock();
    }
    if (p != null) {
      sealQuietly(p);
    }
    settleBackgroundSeals(true);
  }

  /** Stops appends and seals every unsealed pack the disk allows. Idempotent. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      current = null;
    } finally {
      lock.unlock();
    }
    settleBackgroundSeals(false); // the loop below seals the packs taken back
    for (OpenPack p : new ArrayList<>(unsealed.values())) {
      sealQuietly(p);
      closeQuietly(p.channel);
    }
  }

  /**
   * Stops appends and closes every pack without sealing it, leaving the files as a crash would
   * (tests of open-time recovery).
   */
  public void abandon() {
    abandoned = true;
    lock.lock();
    try {
      closed = true;
      current = null;
    } finally {
      lock.unlock();
    }
    settleBackgroundSeals(false); // a running seal completes, as if the crash came after it
    for (OpenPack p : unsealed.values()) {
      closeQuietly(p.channel);
    }
  }

  private void sealQuietly(OpenPack p) {
    try {
      seal(p);
    } catch (IOException | RuntimeException e) {
      // Leave it unsealed: its completed records stay readable and syncable, and open-time
      // recovery writes the trailer from the committed entries.
    }
  }

  private void seal(OpenPack p) throws IOException {
    synchronized (p) {
      if (p.sealed) {
        return;
      }
      // No append reaches this pack any more (it is no longer current): write what its combining
      // buffer holds, after the spans handed over before.
      lock.lock();
      try {
        p.handOver();
      } finally {
        lock.unlock();
      }
      drain(p);
      List<IndexedChunk> entries = p.entries;
      if (p.failure != null) {
        long valid = p.completedPos;
        entries = new ArrayList<>();
        for (IndexedChunk e : p.entries) {
          if (e.location().end() <= valid) {
            entries.add(e);
          }
        }
      }
      if (entries.isEmpty()) {
        // Nothing was ever written to it: drop the file instead of sealing an empty pack.
        closeQuietly(p.channel);
        Files.deleteIfExists(p.path);
        PackFiles.syncDirectory(dir);
        p.sealed = true;
        unsealed.remove(p.id);
        packBytes.addAndGet(-PackFormat.HEADER_LENGTH);
        packCount.decrementAndGet();
        return;
      }
      FileChannel ch = p.channel.isOpen() ? p.channel : reopen(p);
      try {
        long end = p.completedPos;
        if (ch.size() > end) {
          ch.truncate(end); // a torn record left by a failed append
        }
        byte[] trailer = PackFormat.trailer(p.id, entries, sealer);
        PackFiles.write(ch, p.path, hook, end, ByteBuffer.wrap(trailer));
        ch.force(true);
        long length = end + trailer.length;
        p.durablePos = length;
        p.sealed = true;
        unsealed.remove(p.id);
        packBytes.addAndGet(trailer.length);
        PackState.markSealed(db, p.id, length);
        try {
          sealedHook.accept(p.id);
        } catch (RuntimeException ignored) {
          // The replicator finds under-replicated packs again at the next open.
        }
        if (listener != StorageListener.NOOP) {
          try {
            listener.onPackSealed(p.path.getFileName().toString(), length, entries.size());
          } catch (RuntimeException ignored) {
            // Listener errors must not break the store.
          }
        }
      } finally {
        closeQuietly(ch);
        closeQuietly(p.channel);
      }
    }
  }

  private static FileChannel reopen(OpenPack p) throws IOException {
    return FileChannel.open(p.path, StandardOpenOption.WRITE);
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // Nothing useful to do; the data that matters was fsynced.
      }
    }
  }

  /** A pack being written in this run. */
  private static final class OpenPack {
    final long id;
    final Path path;

    /** Replaced (under the flush lock) when an interrupt closed it; see {@link #writeSpan}. */
    volatile FileChannel channel;

    final List<IndexedChunk> entries = new ArrayList<>();
    final Object syncLock = new Object();

    /** Orders and serialises the writes of handed-over spans. Never taken with the append lock. */
    final ReentrantLock flushLock = new ReentrantLock();

    /** Spans handed over (under the append lock, so in offset order) and not yet written. */
    final java.util.concurrent.ConcurrentLinkedQueue<Span> spans =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Combining buffer of records appended and not handed over; null if none. Append lock. */
    ByteBuffer buf;

    /** Pack offset of {@link #buf}'s first byte. Append lock. */
    long bufStart;

    /** Offset for the next record. Append lock. */
    long writePos = PackFormat.HEADER_LENGTH;

    /** The write that failed, if one did: the pack's records from {@link #completedPos} on. */
    volatile IOException failure;

    /** Records before this offset are in the file (written, not necessarily durable). */
    volatile long completedPos = PackFormat.HEADER_LENGTH;

    volatile long durablePos = PackFormat.HEADER_LENGTH;
    volatile boolean sealed;

    OpenPack(long id, Path path, FileChannel channel) {
      this.id = id;
      this.path = path;
      this.channel = channel;
    }

    /**
     * Hands the combining buffer's records over to be written. Called with the append lock.
     *
     * @return whether there were any
     */
    boolean handOver() {
      if (buf == null) {
        return false;
      }
      buf.flip();
      spans.add(new Span(bufStart, new ByteBuffer[] {buf}, buf));
      buf = null;
      return true;
    }

    void syncTo(long end) throws IOException {
      if (sealed || durablePos >= end) {
        return;
      }
      synchronized (syncLock) {
        if (sealed || durablePos >= end) {
          return;
        }
        // Everything completed before this point is covered by the fsync below.
        long target = completedPos;
        try {
          channel.force(false);
        } catch (ClosedChannelException e) {
          if (sealed) {
            return;
          }
          // Closed under us (an interrupted writer closes the shared channel): fsync through a
          // fresh descriptor, which flushes the same file.
          try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.force(false);
          }
        }
        durablePos = Math.max(durablePos, target);
      }
    }
  }

  /** Bytes to write at a pack offset; {@code pooled}: a combining buffer to reuse afterwards. */
  private static final class Span {
    final long start;
    final long length;
    final ByteBuffer[] buffers;
    final ByteBuffer pooled;

    Span(long start, ByteBuffer[] buffers, ByteBuffer pooled) {
      this.start = start;
      long n = 0;
      for (ByteBuffer b : buffers) {
        n += b.remaining();
      }
      this.length = n;
      this.buffers = buffers;
      this.pooled = pooled;
    }

    long end() {
      return start + length;
    }
  }
}
