package io.dsblocks.storage.internal;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.index.ChunkListReader;
import io.dsblocks.storage.internal.index.VersionRecord;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Lock;

/**
 * Streams a byte range of one object version. Chunks are fetched a few ahead on the store's
 * executor (read, authenticate, decompress), so a restore uses several cores; only the chunks that
 * overlap the range are read.
 *
 * <p>Corruption surfaces as an unchecked {@link io.dsblocks.storage.StorageCorruptionException}
 * from {@code read}, naming the object, its version, the byte offset and the pack.
 *
 * <p>Not thread-safe (like any {@link InputStream}).
 */
final class ObjectReadStream extends InputStream {
  private final DefaultObjectStore store;
  private final ObjectInfo info;
  private final ChunkListReader cursor;
  private final long end;
  private final ArrayDeque<Fetch> ahead = new ArrayDeque<>();
  private long position;
  private byte[] current;
  private int currentPos;
  private int currentEnd;
  private boolean closed;

  /**
   * One chunk of the stream: being fetched on the executor ({@code data}), or, if {@code data} is
   * null, to be read on the reading thread when it is needed.
   */
  private record Fetch(long start, byte[] id, int rawLength, CompletableFuture<byte[]> data) {}

  ObjectReadStream(DefaultObjectStore store, VersionRecord record, long from, long to) {
    this.store = store;
    this.info = record.info();
    this.end = to;
    this.position = from;
    Lock l = store.enter();
    try {
      this.cursor = new ChunkListReader(store.catalog, record.chunks());
      if (from < to) {
        cursor.seek(from);
      }
    } finally {
      l.unlock();
    }
  }

  private void fillAhead() {
    while (ahead.size() < store.readAhead && cursor.hasNext() && cursor.nextStart() < end) {
      Lock l = store.enter();
      try {
        cursor.next(); // may load a page of references from the catalog
      } finally {
        l.unlock();
      }
      byte[] id = cursor.id().clone();
      int rawLength = cursor.rawLength();
      long start = cursor.start();
      CompletableFuture<byte[]> data = null;
      // The chunk needed next is read by this thread, after the ones behind it were handed to the
      // executor: handing it over too would leave this thread waiting for it, and cost a wake-up
      // (a restore of many small files, mostly one or two chunks each, parked 4,910 times).
      if (!ahead.isEmpty()) {
        try {
          data =
              CompletableFuture.supplyAsync(
                  () -> store.readObjectChunk(info, id, rawLength, start), store.executor);
        } catch (RejectedExecutionException e) {
          throw new StorageException("store " + store.directory() + " is closed", e);
        }
      }
      ahead.add(new Fetch(start, id, rawLength, data));
    }
  }

  private boolean advance() {
    if (closed) {
      throw new StorageException("stream is closed");
    }
    if (position >= end) {
      return false;
    }
    fillAhead();
    Fetch f = ahead.poll();
    if (f == null) {
      return false;
    }
    byte[] data;
    if (f.data() == null) {
      data = store.readObjectChunk(info, f.id(), f.rawLength(), f.start());
    } else {
      data = join(f.data());
    }
    current = data;
    currentPos = (int) Math.max(0, position - f.start());
    currentEnd = (int) Math.min(data.length, end - f.start());
    return true;
  }

  private static byte[] join(CompletableFuture<byte[]> data) {
    try {
      return data.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  @Override
  public int read() {
    while (current == null || currentPos >= currentEnd) {
      if (!advance()) {
        return -1;
      }
    }
    position++;
    return current[currentPos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int total = 0;
    while (total < len) {
      if (current == null || currentPos >= currentEnd) {
        if (!advance()) {
          break;
        }
        continue;
      }
      int n = Math.min(len - total, currentEnd - currentPos);
      System.arraycopy(current, currentPos, b, off + total, n);
      currentPos += n;
      position += n;
      total += n;
    }
    return total == 0 ? -1 : total;
  }

  @Override
  public int available() {
    return current == null ? 0 : currentEnd - currentPos;
  }

  @Override
  public void close() {
    closed = true;
    current = null;
    // Outstanding fetches finish on their own; their results are simply dropped.
    ahead.clear();
  }
}
