package io.dsblocks.storage.block;

/**
 * A point-in-time view of a {@link BlockDevice}'s space use, from {@link BlockDevice#stats()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the device's name
 * @param size the logical size in bytes
 * @param blockSize the block size in bytes
 * @param allocatedBlocks blocks that hold data (written and not all zeros), flushed or not; holes
 *     are not counted
 * @param dirtyBlocks blocks written since the last flush (held in memory until then)
 * @param flushes flushes that committed something since the device was opened
 */
public record BlockDeviceStats(
    String name, long size, int blockSize, long allocatedBlocks, long dirtyBlocks, long flushes) {

  /**
   * Returns the number of blocks the logical size spans.
   *
   * @return {@code ceil(size / blockSize)}
   */
  public long totalBlocks() {
    return (size + blockSize - 1) / blockSize;
  }

  /**
   * Returns the bytes of allocated blocks, before the object store's dedup and compression.
   *
   * @return {@code allocatedBlocks * blockSize}
   */
  public long allocatedBytes() {
    return allocatedBlocks * blockSize;
  }
}
