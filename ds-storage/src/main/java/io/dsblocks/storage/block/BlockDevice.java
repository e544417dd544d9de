package io.dsblocks.storage.block;

import java.nio.ByteBuffer;

/**
 * A virtual disk of {@link #size()} bytes split into fixed-size blocks, stored in an {@link
 * io.dsblocks.storage.ObjectStore}. Create or open one with {@link BlockDevices}.
 *
 * <p><b>I/O.</b> {@link #read} and {@link #write} accept any offset and length inside the device; a
 * write that covers part of a block reads the rest of it first (read-modify-write). Writes are
 * buffered in memory until {@link #flush()}, which commits every block written before it together
 * with the updated block map in one atomic {@code ObjectStore} batch: after a crash the device is
 * exactly as it was at some flush, never a mix. Writes not yet flushed may be lost by a crash. The
 * device also flushes on its own when the buffered blocks exceed {@link
 * BlockDevices#DEFAULT_MAX_DIRTY_BYTES} and on {@link #close()}.
 *
 * <p><b>Thin provisioning.</b> Blocks never written read as zeros and store nothing. Writing a
 * block so that it becomes all zeros turns it back into a hole.
 *
 * <p><b>Clones.</b> {@link #clone(String)} creates a new device sharing every block with this one;
 * its cost is proportional to the block map (16 bytes per allocated block), not to the data. After
 * the clone, a write to either device is invisible to the other. A block's stored object is
 * deleted, in the commit that drops it, as soon as no device of the clone family uses it any more.
 *
 * <p>Thread-safe: any number of threads may read and write concurrently, at overlapping ranges too
 * (each block is updated atomically; a write spanning several blocks is not atomic with respect to
 * concurrent readers). Open a device in at most one {@code BlockDevice} at a time; two handles on
 * one device would overwrite each other's block map.
 */
public interface BlockDevice extends AutoCloseable {

  /**
   * Returns the device's name.
   *
   * @return the name given at creation
   */
  String name();

  /**
   * Returns the logical size.
   *
   * @return the size in bytes
   */
  long size();

  /**
   * Returns the block size, fixed at creation.
   *
   * @return a power of two in [{@link BlockDevices#MIN_BLOCK_SIZE}, {@link
   *     BlockDevices#MAX_BLOCK_SIZE}]
   */
  int blockSize();

  /**
   * Reads {@code length} bytes at {@code offset} into {@code dst[dstOffset ..]}.
   *
   * @param offset device offset, {@code >= 0}
   * @param dst destination array
   * @param dstOffset first index written in {@code dst}
   * @param length bytes to read; {@code offset + length} must not exceed {@link #size()}
   * @throws IllegalArgumentException if the range is outside the device or the array
   * @throws io.dsblocks.storage.StorageException if the object store fails
   */
  void read(long offset, byte[] dst, int dstOffset, int length);

  /**
   * Reads {@code dst.length} bytes at {@code offset}.
   *
   * @param offset device offset
   * @param dst destination, filled completely
   * @throws IllegalArgumentException if the range is outside the device
   */
  default void read(long offset, byte[] dst) {
    read(offset, dst, 0, dst.length);
  }

  /**
   * Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its position.
   *
   * @param offset device offset
   * @param dst destination buffer
   * @throws IllegalArgumentException if the range is outside the device
   */
  void read(long offset, ByteBuffer dst);

  /**
   * Writes {@code length} bytes of {@code src[srcOffset ..]} at {@code offset}. The data is visible
   * to reads at once and durable after the next {@link #flush()}.
   *
   * @param offset device offset, {@code >= 0}
   * @param src source array
   * @param srcOffset first index read from {@code src}
   * @param length bytes to write; {@code offset + length} must not exceed {@link #size()}
   * @throws IllegalArgumentException if the range is outside the device or the array
   * @throws io.dsblocks.storage.StorageException if reading a block for read-modify-write, or an
   *     automatic flush, fails
   */
  void write(long offset, byte[] src, int srcOffset, int length);

  /**
   * Writes all of {@code src} at {@code offset}.
   *
   * @param offset device offset
   * @param src the data
   * @throws IllegalArgumentException if the range is outside the device
   */
  default void write(long offset, byte[] src) {
    write(offset, src, 0, src.length);
  }

  /**
   * Writes {@code src.remaining()} bytes at {@code offset}, advancing the buffer's position.
   *
   * @param offset device offset
   * @param src the data
   * @throws IllegalArgumentException if the range is outside the device
   */
  void write(long offset, ByteBuffer src);

  /**
   * Makes every write that returned before this call durable: the written blocks and the new block
   * map are committed in one atomic object-store batch (one commit, however many blocks). Blocks
   * that an earlier flush stored and that nothing shares any more are then deleted from the store.
   *
   * @throws io.dsblocks.storage.StorageException if the commit fails; the writes stay buffered and
   *     the next flush retries them
   */
  void flush();

  /**
   * Creates a copy-on-write clone: flushes this device, then commits a new device named {@code
   * newName} whose block map is a copy of this one's, so both share every block until either writes
   * it. Costs one batch holding the map (16 bytes per allocated block), independent of the data.
   *
   * @param newName the clone's name (see {@link BlockDevices#create} for the rules)
   * @return the clone, open; close it when done
   * @throws IllegalArgumentException if the name is invalid
   * @throws BlockDeviceException if a device with that name exists
   */
  BlockDevice clone(String newName);

  /**
   * Changes the size and commits it, with every buffered write, before returning. Growing adds
   * zeros (holes). Shrinking drops the blocks past the new end; the bytes past the end inside the
   * last block are zeroed, so growing again reads zeros there.
   *
   * @param newSize the new size, in [1, {@link BlockDevices#MAX_SIZE}]
   * @throws IllegalArgumentException if {@code newSize} is out of range
   */
  void resize(long newSize);

  /**
   * Returns current space use.
   *
   * @return the stats
   */
  BlockDeviceStats stats();

  /**
   * Flushes buffered writes and closes the device. Idempotent. Does not close the object store.
   * Further calls other than {@code close} throw {@link IllegalStateException}.
   */
  @Override
  void close();
}
