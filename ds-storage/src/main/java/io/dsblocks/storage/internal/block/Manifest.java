package io.dsblocks.storage.internal.block;

import io.dsblocks.storage.block.BlockDeviceException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A device's root record, rewritten by every flush in the same batch as the blocks and map pages it
 * covers.
 *
 * <pre>
 * "DSBD" | u16 version (2) | u64 device id | u64 size | u32 block size | u32 entries per page
 *        | u64 next sequence | u64 shared below | u64 allocated blocks | u64 family id
 * </pre>
 *
 * <p>Version 1 had no family id; such a device reads as the root of its own family (family id =
 * device id) and, having no family marker, never deletes a block it may share (see {@link
 * DefaultBlockDevice}).
 *
 * @param deviceId random id naming this device's data objects
 * @param size logical size in bytes
 * @param blockSize block size
 * @param entriesPerPage block map entries per map page object
 * @param nextSeq the next data object sequence number (all committed ones are below it)
 * @param sharedBelow this device's data objects below this sequence may be shared with clones
 * @param allocatedBlocks committed non-hole blocks
 * @param familyId the device id of the clone family's root: every device cloned, directly or not,
 *     from one created device shares it, and only those devices can share data objects
 */
record Manifest(
    long deviceId,
    long size,
    int blockSize,
    int entriesPerPage,
    long nextSeq,
    long sharedBelow,
    long allocatedBlocks,
    long familyId) {

  private static final int MAGIC = 0x44534244; // "DSBD"
  private static final int VERSION = 2;

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(VERSION);
      out.writeLong(deviceId);
      out.writeLong(size);
      out.writeInt(blockSize);
      out.writeInt(entriesPerPage);
      out.writeLong(nextSeq);
      out.writeLong(sharedBelow);
      out.writeLong(allocatedBlocks);
      out.writeLong(familyId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Manifest decode(String device, byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC) {
        throw new BlockDeviceException(device, "manifest has a bad magic number");
      }
      int version = in.readUnsignedShort();
      if (version != VERSION && version != 1) {
        throw new BlockDeviceException(device, "manifest format version " + version + " unknown");
      }
      long deviceId = in.readLong();
      long size = in.readLong();
      int blockSize = in.readInt();
      int entriesPerPage = in.readInt();
      long nextSeq = in.readLong();
      long sharedBelow = in.readLong();
      long allocated = in.readLong();
      long familyId = version == 1 ? deviceId : in.readLong();
      Manifest m =
          new Manifest(
              deviceId, size, blockSize, entriesPerPage, nextSeq, sharedBelow, allocated, familyId);
      if (m.blockSize <= 0 || Integer.bitCount(m.blockSize) != 1 || m.entriesPerPage <= 0) {
        throw new BlockDeviceException(device, "manifest is corrupt: " + m);
      }
      return m;
    } catch (IOException e) {
      throw new BlockDeviceException(device, "manifest is truncated (" + data.length + " bytes)");
    }
  }
}
