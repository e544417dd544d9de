package io.dsblocks.storage.block;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.internal.block.DefaultBlockDevice;

/**
 * Creates, opens and deletes {@link BlockDevice}s stored in an {@link ObjectStore}.
 *
 * <pre>{@code
 * try (BlockDevice disk = BlockDevices.create(store, "vm-1", 10L << 30)) {  // 10 GiB, thin
 *   disk.write(4096, header);
 *   disk.flush();                                   // durable from here on
 *   try (BlockDevice snap = disk.clone("vm-1-golden")) { ... }  // copy-on-write, O(map)
 * }
 * }</pre>
 *
 * <p>A device lives under the object keys {@code blockdev/<name>/...}; block contents live under
 * {@code blockdev/data/...} so that clones can share them. Names are 1 to 128 characters from
 * {@code [A-Za-z0-9._-]}, not starting with a dot.
 *
 * <p>Thread-safe: all methods are static and stateless.
 */
public final class BlockDevices {
  private BlockDevices() {}

  /** Smallest block size: 4 KiB. */
  public static final int MIN_BLOCK_SIZE = 4 << 10;

  /** Largest block size: 1 MiB. */
  public static final int MAX_BLOCK_SIZE = 1 << 20;

  /** Block size used when none is given: 64 KiB. */
  public static final int DEFAULT_BLOCK_SIZE = 64 << 10;

  /** Largest device size: 1 PiB. */
  public static final long MAX_SIZE = 1L << 50;

  /** Buffered (unflushed) bytes above which a write triggers a flush: 32 MiB. */
  public static final long DEFAULT_MAX_DIRTY_BYTES = 32L << 20;

  /**
   * Creates a device with {@link #DEFAULT_BLOCK_SIZE 64 KiB} blocks. Nothing is allocated: every
   * block starts as a hole.
   *
   * @param store the object store to keep it in
   * @param name the device's name
   * @param size its size in bytes, in [1, {@link #MAX_SIZE}]
   * @return the open device
   * @throws IllegalArgumentException if the name or size is invalid
   * @throws BlockDeviceException if a device with that name exists
   */
  public static BlockDevice create(ObjectStore store, String name, long size) {
    return create(store, name, size, DEFAULT_BLOCK_SIZE);
  }

  /**
   * Creates a device. Its manifest is committed (durable) before this returns.
   *
   * @param store the object store to keep it in
   * @param name the device's name
   * @param size its size in bytes, in [1, {@link #MAX_SIZE}]
   * @param blockSize a power of two in [{@link #MIN_BLOCK_SIZE}, {@link #MAX_BLOCK_SIZE}]
   * @return the open device
   * @throws IllegalArgumentException if the name, size or block size is invalid
   * @throws BlockDeviceException if a device with that name exists
   */
  public static BlockDevice create(ObjectStore store, String name, long size, int blockSize) {
    return DefaultBlockDevice.create(store, name, size, blockSize, DEFAULT_MAX_DIRTY_BYTES);
  }

  /**
   * Opens an existing device.
   *
   * @param store the object store holding it
   * @param name the device's name
   * @return the open device
   * @throws IllegalArgumentException if the name is invalid
   * @throws BlockDeviceException if there is no such device
   */
  public static BlockDevice open(ObjectStore store, String name) {
    return DefaultBlockDevice.open(store, name, DEFAULT_MAX_DIRTY_BYTES);
  }

  /**
   * Tells whether a device exists.
   *
   * @param store the object store
   * @param name the device's name
   * @return true if a device of that name was created (and not deleted)
   * @throws IllegalArgumentException if the name is invalid
   */
  public static boolean exists(ObjectStore store, String name) {
    return DefaultBlockDevice.exists(store, name);
  }

  /**
   * Deletes a device: its manifest, its block map and every block no other device of its clone
   * family still uses, in one atomic batch (after a crash the device is either whole or gone, and
   * nothing is left behind). Blocks still used by a clone stay until the last device using them
   * drops them. The device must not be open.
   *
   * @param store the object store
   * @param name the device's name
   * @return true if the device existed
   * @throws IllegalArgumentException if the name is invalid
   */
  public static boolean delete(ObjectStore store, String name) {
    return DefaultBlockDevice.delete(store, name);
  }
}
