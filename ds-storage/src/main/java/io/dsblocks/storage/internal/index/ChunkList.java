package io.dsblocks.storage.internal.index;

/**
 * The chunk references of one object version: each a chunk id (32 bytes) and its plaintext length
 * (4 bytes). Up to {@link Catalog#PAGE_REFS} references are kept inline in the version record;
 * longer lists live in pages of that many references in the {@code chunk_lists} column family, so a
 * version record stays small however large the object is, and a put never holds more than one page
 * of references in memory.
 *
 * @param inline the packed references if the list is inline, else null
 * @param listId the page list's id if paged, else 0
 * @param chunkCount number of references
 * @param pageStarts for a paged list, the object offset of each page's first byte (for ranged
 *     reads); empty when inline
 */
public record ChunkList(byte[] inline, long listId, long chunkCount, long[] pageStarts) {

  /** An empty list (an empty object or a delete marker). */
  public static final ChunkList EMPTY = new ChunkList(new byte[0], 0, 0, new long[0]);

  /**
   * Returns whether the references are in pages.
   *
   * @return true if paged
   */
  public boolean paged() {
    return inline == null;
  }
}
