package io.dsblocks.storage.block;

import io.dsblocks.storage.StorageException;

/**
 * A block device operation could not be carried out: the device does not exist, already exists, or
 * its stored metadata is not a block device's. Unchecked.
 */
public class BlockDeviceException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final String device;

  /**
   * Creates an exception.
   *
   * @param device the device's name
   * @param message what went wrong
   */
  public BlockDeviceException(String device, String message) {
    super("block device '" + device + "': " + message);
    this.device = device;
  }

  /**
   * Returns the device the operation was about.
   *
   * @return the device's name
   */
  public String device() {
    return device;
  }
}
