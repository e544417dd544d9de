package io.dsblocks.storage.internal.index;

import java.util.Arrays;
import org.rocksdb.WriteBatch;

/**
 * Accumulates a put's chunk references in order. A list that grows past one page is spilled page by
 * page into the put's intermediate index writes, so memory per put stays at one page whatever the
 * object size.
 *
 * <p>Not thread-safe: used by the one thread running a put.
 */
public final class ChunkListBuilder {
  private final Catalog catalog;
  private final IdAllocator listIds;
  // Grows to one page on demand: most objects have a handful of chunks.
  private byte[] buffer = new byte[16 * Catalog.REF_LENGTH];
  private int buffered;
  private long bufferedStart;
  private long total;
  private long bytes;
  private long listId;
  private int pagesStaged;
  private long[] pageStarts = new long[4];

  /**
   * Creates a builder.
   *
   * @param catalog where pages go
   * @param listIds allocates a list id when the first page spills
   */
  public ChunkListBuilder(Catalog catalog, IdAllocator listIds) {
    this.catalog = catalog;
    this.listIds = listIds;
  }

  /**
   * Appends a reference.
   *
   * @param id chunk id (32 bytes)
   * @param rawLength chunk length
   */
  public void add(byte[] id, int rawLength) {
    if (buffered == Catalog.PAGE_REFS) {
      throw new IllegalStateException("a full page must be staged before adding more");
    }
    int off = buffered * Catalog.REF_LENGTH;
    if (off == buffer.length) {
      buffer =
          Arrays.copyOf(
              buffer, Math.min(buffer.length * 2, Catalog.PAGE_REFS * Catalog.REF_LENGTH));
    }
    System.arraycopy(id, 0, buffer, off, 32);
    io.dsblocks.storage.internal.Bytes.putInt(buffer, off + 32, rawLength);
    buffered++;
    total++;
    bytes += rawLength;
  }

  /**
   * Returns whether a full page is waiting to be staged.
   *
   * @return true if {@link #stageFullPage} must be called before the next add
   */
  public boolean pageFull() {
    return buffered == Catalog.PAGE_REFS;
  }

  /**
   * Moves the full page into a batch.
   *
   * @param batch the batch
   */
  public void stageFullPage(WriteBatch batch) {
    if (buffered != Catalog.PAGE_REFS) {
      throw new IllegalStateException("no full page");
    }
    stagePage(batch);
  }

  private void stagePage(WriteBatch batch) {
    if (listId == 0) {
      listId = listIds.next();
    }
    catalog.stagePage(batch, listId, pagesStaged, buffer, buffered * Catalog.REF_LENGTH);
    if (pagesStaged == pageStarts.length) {
      pageStarts = Arrays.copyOf(pageStarts, pageStarts.length * 2);
    }
    pageStarts[pagesStaged++] = bufferedStart;
    bufferedStart = bytes;
    buffered = 0;
  }

  /**
   * Finishes the list: inline if it fits in one page and none was spilled, else the last page is
   * staged into {@code batch}.
   *
   * @param batch the commit batch
   * @return the list
   */
  public ChunkList finish(WriteBatch batch) {
    if (pagesStaged == 0) {
      return total == 0
          ? ChunkList.EMPTY
          : new ChunkList(
              Arrays.copyOf(buffer, buffered * Catalog.REF_LENGTH), 0, total, new long[0]);
    }
    if (buffered > 0) {
      stagePage(batch);
    }
    return new ChunkList(null, listId, total, Arrays.copyOf(pageStarts, pagesStaged));
  }

  /**
   * Returns the list id if pages were spilled, for cleanup after a failure.
   *
   * @return the list id, or 0
   */
  public long listId() {
    return listId;
  }

  /**
   * Returns the number of references added.
   *
   * @return count
   */
  public long count() {
    return total;
  }

  /**
   * Returns the sum of the references' lengths: the object size so far.
   *
   * @return bytes
   */
  public long bytes() {
    return bytes;
  }
}
