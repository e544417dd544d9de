package io.dsblocks.storage.internal;

import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.index.ChunkList;
import io.dsblocks.storage.internal.index.ChunkListBuilder;
import io.dsblocks.storage.internal.index.ChunkLocation;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

/**
 * One put: reads the input into segments of whole chunks on the calling thread (chunking is
 * sequential and fast), and processes segments in parallel on the store's executor (hash, dedup
 * lookup, and for new chunks only: compress, seal, append); while waiting for a segment, the
 * calling thread processes segments no worker has picked up yet. Results are consumed in order, so
 * the chunk list keeps the object's order whatever order the workers finish in.
 *
 * <p>Memory per put is bounded: at most {@code maxSegmentsInFlight} segments (about 1 MiB each),
 * one page of chunk references, and up to {@link DefaultObjectStore#FLUSH_CHUNKS} unpublished new
 * chunks. Past that, the {@link CommitGroup} flushes early: an intermediate synced batch commits
 * the index entries (after fsyncing their packs) and any full page of references, so a put of any
 * size streams. An early flush commits chunks, never the object: only {@link CommitGroup#commit}
 * writes catalog rows.
 *
 * <p>The put ends with a {@link CommitGroup.Draft} added to its group; the caller commits the group
 * (at once for a plain put, later for a batch). If the put fails, chunks it already indexed stay as
 * unreferenced but valid records (garbage collection reclaims them) and its spilled chunk-list
 * pages are deleted.
 *
 * <p>Not thread-safe: one instance per put.
 */
final class PutOperation {
  /**
   * One first-segment buffer per thread that puts, given back only after a put processed it on the
   * same thread. Memory: one buffer (128 KiB by default) per thread that ever put.
   */
  private static final ThreadLocal<byte[]> FIRST_BUFFER = new ThreadLocal<>();

  private final DefaultObjectStore store;
  private final CommitGroup group;
  private final String key;
  private final Map<String, String> metadata;
  private final ChunkListBuilder refs;
  private long written;
  private long dedupedRefs;

  PutOperation(
      DefaultObjectStore store, CommitGroup group, String key, Map<String, String> metadata) {
    this.store = store;
    this.group = group;
    this.key = key;
    this.metadata = metadata;
    this.refs = new ChunkListBuilder(store.catalog, store.listIds);
  }

  /** Ingests the whole input and adds a draft to the group. */
  void run(InputStream in) {
    ArrayDeque<FutureTask<Segment>> window = new ArrayDeque<>();
    int maxChunk = store.chunker.maxSize();
    // Start small: most objects in a typical tree are a few KiB, and a full segment buffer per put
    // would cost more to allocate (and zero) than to fill. Two maximal chunks satisfy the chunker.
    // Even that first buffer (128 KiB by default) cost more to allocate and zero than a 13 KiB
    // object costs to chunk and hash, so each thread reuses one (see takeFirstBuffer).
    int firstSize = Math.min(store.segmentSize, Math.max(64 << 10, 2 * maxChunk));
    byte[] buf = takeFirstBuffer(firstSize);
    int len = 0;
    boolean eof = false;
    boolean first = true;
    try {
      while (!eof) {
        int n;
        try {
          n = in.readNBytes(buf, len, buf.length - len);
        } catch (IOException e) {
          throw new StorageException(
              "reading the data of '" + key + "' failed: " + e.getMessage(), e);
        }
        len += n;
        // readNBytes returns short only at the end of the stream.
        eof = len < buf.length;
        int[] cuts = new int[16];
        int count = 0;
        int pos = 0;
        while (len - pos >= maxChunk || (eof && pos < len)) {
          int c = store.chunker.cut(buf, pos, len - pos);
          if (count == cuts.length) {
            cuts = Arrays.copyOf(cuts, count * 2);
          }
          cuts[count++] = c;
          pos += c;
        }
        if (count > 0) {
          Segment segment = new Segment(buf, Arrays.copyOf(cuts, count));
          if (first && eof) {
            // The whole object fits in one segment: hand-off to a worker would cost more than
            // it saves, and concurrent small puts already spread over the callers' threads.
            segment.process();
            consume(segment);
            // Processed on this thread and nothing kept a reference to the bytes (ids, sealed
            // records and sketches are copies), so the next put on this thread may reuse it.
            FIRST_BUFFER.set(buf);
          } else {
            window.add(submit(segment));
            while (window.size() >= store.maxSegmentsInFlight) {
              consume(await(window));
            }
          }
        }
        first = false;
        if (!eof) {
          // The segment keeps the old buffer; carry the partial chunk over into a new one.
          byte[] next = new byte[store.segmentSize];
          System.arraycopy(buf, pos, next, 0, len - pos);
          buf = next;
          len -= pos;
        }
      }
      while (!window.isEmpty()) {
        consume(await(window));
      }
      ChunkList list = refs.finish(group.staged);
      group.addDraft(
          new CommitGroup.Draft(key, metadata, refs.bytes(), list, written, dedupedRefs));
    } catch (RuntimeException | Error e) {
      abort(window);
      throw e;
    }
  }

  /**
   * The calling thread's reusable first buffer, taken out of its slot (so a buffer handed to a
   * worker with an asynchronous segment is never reused), or a new one.
   */
  private static byte[] takeFirstBuffer(int size) {
    byte[] b = FIRST_BUFFER.get();
    if (b != null && b.length == size) {
      FIRST_BUFFER.set(null);
      return b;
    }
    return new byte[size];
  }

  private FutureTask<Segment> submit(Segment segment) {
    // A FutureTask of our own, not executor.submit's future: whoever calls run() first processes
    // the segment, and a later run() (the worker's, after the caller helped) does nothing.
    FutureTask<Segment> task =
        new FutureTask<>(
            () -> {
              segment.process();
              return segment;
            });
    try {
      store.executor.execute(task);
    } catch (RejectedExecutionException e) {
      throw new StorageException("the store's executor rejected ingest work for '" + key + "'", e);
    }
    return task;
  }

  /**
   * Takes the oldest in-flight segment, processed. While it is not done, this thread processes
   * segments no worker has started yet, newest first (workers take the oldest first), instead of
   * parking: so a put completes even while every executor thread is busy elsewhere (a shared or
   * saturated executor), and a waiting caller does not leave a core idle. (JFR, one BackupBench run
   * on two cores: the ingest threads were parked here for about 9% of their time; the end-to-end
   * gain was within that machine's noise.)
   */
  private Segment await(ArrayDeque<FutureTask<Segment>> window) {
    FutureTask<Segment> oldest = window.peekFirst();
    for (Iterator<FutureTask<Segment>> it = window.descendingIterator();
        it.hasNext() && !oldest.isDone(); ) {
      it.next().run(); // returns at once if a worker has started (or finished) it
    }
    return await(window.poll());
  }

  private Segment await(Future<Segment> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          // Finish waiting: the task holds claims on chunks that must be released in order.
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new StorageException("ingest of '" + key + "' failed", cause);
        } catch (CancellationException e) {
          throw new StorageException("ingest of '" + key + "' was cancelled", e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void consume(Segment s) {
    // Hand every claim to the group first, so that a failure while flushing below still releases
    // (or commits) them.
    for (int i = 0; i < s.cuts.length; i++) {
      PendingChunk p = s.claims[i];
      if (p == null) {
        dedupedRefs++; // already in the index
      } else if (s.wrote[i]) {
        group.owned.add(p);
        written++;
      } else {
        group.borrowed.add(p);
        dedupedRefs++;
      }
    }
    for (int i = 0; i < s.cuts.length; i++) {
      refs.add(s.ids[i], s.cuts[i]);
      if (refs.pageFull()) {
        refs.stageFullPage(group.staged);
        group.flush();
      }
    }
    if (group.wantsFlush()) {
      group.flush();
    }
  }

  private void abort(ArrayDeque<FutureTask<Segment>> window) {
    // Let in-flight segments finish so no worker is still claiming or appending for this put,
    // then release the claims the group never saw. Released claims stay completed: a put that
    // borrowed one may still commit it, since its record is intact. Claims already handed to the
    // group stay there: committing an index entry for an intact record is harmless.
    for (FutureTask<Segment> f : window) {
      try {
        Segment s = await(f);
        for (int i = 0; i < s.cuts.length; i++) {
          if (s.wrote[i]) {
            store.pending.remove(s.claims[i].key, s.claims[i]);
          }
        }
      } catch (RuntimeException | Error ignored) {
        // The segment released its own claims when it failed.
      }
    }
    group.discardList(refs.listId());
  }

  /** A run of whole chunks from one input buffer, processed by one worker. */
  private final class Segment {
    final byte[] buf;
    final int[] cuts;
    final byte[][] ids;

    /** Null: already indexed. Otherwise the pending chunk written or borrowed. */
    final PendingChunk[] claims;

    final boolean[] wrote;

    Segment(byte[] buf, int[] cuts) {
      this.buf = buf;
      this.cuts = cuts;
      this.ids = new byte[cuts.length][];
      this.claims = new PendingChunk[cuts.length];
      this.wrote = new boolean[cuts.length];
    }

    void process() {
      int off = 0;
      int i = 0;
      try {
        for (; i < cuts.length; i++) {
          byte[] id = store.hasher.id(buf, off, cuts[i]);
          ids[i] = id;
          resolve(i, id, off, cuts[i]);
          off += cuts[i];
        }
      } catch (RuntimeException | Error e) {
        for (int j = 0; j < i; j++) {
          if (wrote[j]) {
            store.pending.remove(claims[j].key, claims[j]);
          }
        }
        throw e;
      }
    }

    /**
     * Claims the chunk or finds who has it: another put writing it (borrow), the index (dedup), or
     * nobody (compress, seal, append).
     */
    private void resolve(int i, byte[] id, int off, int len) {
      ChunkKey key = new ChunkKey(id);
      // Borrowing (below) needs the protection too: the owner may fail and leave the record
      // unindexed for this put to commit.
      store.gcGuard.protect(key, () -> null);
      while (true) {
        PendingChunk mine = new PendingChunk(key);
        PendingChunk other = store.pending.putIfAbsent(key, mine);
        if (other != null) {
          if (other.failed()) {
            store.pending.remove(key, other);
            continue;
          }
          claims[i] = other;
          return;
        }
        try {
          // Protected before the lookup, so a GC cycle cannot delete what the lookup finds.
          ChunkLocation existing = store.gcGuard.protect(key, () -> store.index.lookup(id));
          if (existing != null) {
            mine.published = true;
            mine.location.complete(existing);
            store.pending.remove(key, mine);
            return;
          }
          ChunkEncoder.Encoded encoded = store.encoder.encode(id, buf, off, len);
          mine.baseId = encoded.baseId(); // before completing: borrowers read it after join()
          mine.location.complete(store.packWriter.append(id, encoded.sealed(), len));
        } catch (RuntimeException | Error e) {
          mine.location.completeExceptionally(e);
          store.pending.remove(key, mine);
          throw e;
        }
        claims[i] = mine;
        wrote[i] = true;
        return;
      }
    }
  }
}
