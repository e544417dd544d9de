package io.dsblocks.cache;

import java.nio.file.Path;

/**
 * What the write-back journal found when it was opened.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the journal file
 * @param validRecords complete records with a correct checksum
 * @param replayedWrites pending writes (after per-key coalescing) put back on the queue
 * @param truncatedBytes bytes cut off the end because the last record was torn or corrupt (0 if the
 *     file was clean)
 * @param truncatedAtOffset the file length after truncation (the end of the last good record)
 */
public record JournalReport(
    Path path,
    long validRecords,
    long replayedWrites,
    long truncatedBytes,
    long truncatedAtOffset) {

  /**
   * Tells whether a torn or corrupt tail was cut off.
   *
   * @return true if bytes were truncated
   */
  public boolean truncated() {
    return truncatedBytes > 0;
  }
}
