package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.Bytes;
import java.util.Arrays;

/**
 * Walks a {@link ChunkList} in order, loading pages as it reaches them, optionally starting at the
 * chunk that holds a given object offset.
 *
 * <p>Not thread-safe.
 */
public final class ChunkListReader {
  private final Catalog catalog;
  private final ChunkList list;
  private byte[] page;
  private int pageNo = -1;
  private int indexInPage;
  private long ordinal;
  private long nextStart;
  private final byte[] id = new byte[32];
  private int rawLength;
  private long chunkStart;

  /**
   * Creates a reader positioned before the first chunk.
   *
   * @param catalog loads pages
   * @param list the list
   */
  public ChunkListReader(Catalog catalog, ChunkList list) {
    this.catalog = catalog;
    this.list = list;
    if (!list.paged()) {
      page = list.inline();
      pageNo = 0;
    }
  }

  /**
   * Positions the reader so that the next {@link #next()} returns the chunk holding {@code offset}.
   *
   * @param offset an object offset, {@code >= 0}
   */
  public void seek(long offset) {
    int p = 0;
    if (list.paged()) {
      long[] starts = list.pageStarts();
      int i = Arrays.binarySearch(starts, offset);
      p = i >= 0 ? i : Math.max(0, -i - 2);
      loadPage(p);
      nextStart = starts[p];
    } else {
      nextStart = 0;
    }
    indexInPage = 0;
    ordinal = (long) p * Catalog.PAGE_REFS;
    while (ordinal < list.chunkCount()) {
      int len = Bytes.getInt(page, indexInPage * Catalog.REF_LENGTH + 32);
      if (nextStart + len > offset) {
        return;
      }
      // Skip this chunk without materialising it.
      nextStart += len;
      advance();
    }
  }

  /**
   * Returns whether there is another chunk.
   *
   * @return true if {@link #next()} may be called
   */
  public boolean hasNext() {
    return ordinal < list.chunkCount();
  }

  /**
   * Moves to the next chunk; read it with {@link #id()}, {@link #rawLength()}, {@link #start()}.
   */
  public void next() {
    if (!hasNext()) {
      throw new IllegalStateException("no more chunks");
    }
    if (page == null || pageNo != (int) (ordinal / Catalog.PAGE_REFS)) {
      loadPage((int) (ordinal / Catalog.PAGE_REFS));
    }
    int off = indexInPage * Catalog.REF_LENGTH;
    System.arraycopy(page, off, id, 0, 32);
    rawLength = Bytes.getInt(page, off + 32);
    chunkStart = nextStart;
    nextStart += rawLength;
    advance();
  }

  private void advance() {
    ordinal++;
    indexInPage++;
    if (indexInPage == Catalog.PAGE_REFS) {
      indexInPage = 0;
    }
  }

  private void loadPage(int p) {
    if (!list.paged()) {
      return;
    }
    byte[] loaded = catalog.page(list.listId(), p);
    long expected = Math.min(Catalog.PAGE_REFS, list.chunkCount() - (long) p * Catalog.PAGE_REFS);
    if (loaded.length != expected * Catalog.REF_LENGTH) {
      throw new StorageCorruptionException(
          "catalog: chunk list " + list.listId() + " page " + p + " has the wrong length");
    }
    page = loaded;
    pageNo = p;
  }

  /**
   * Returns the current chunk's id; the array is reused by the next call to {@link #next()}.
   *
   * @return 32 bytes
   */
  public byte[] id() {
    return id;
  }

  /**
   * Returns the current chunk's length.
   *
   * @return bytes
   */
  public int rawLength() {
    return rawLength;
  }

  /**
   * Returns the object offset of the chunk {@link #next()} would move to.
   *
   * @return offset
   */
  public long nextStart() {
    return nextStart;
  }

  /**
   * Returns the object offset of the current chunk's first byte.
   *
   * @return offset
   */
  public long start() {
    return chunkStart;
  }
}
