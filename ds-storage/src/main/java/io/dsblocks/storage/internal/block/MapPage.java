package io.dsblocks.storage.internal.block;

import io.dsblocks.storage.block.BlockDeviceException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One object's worth of the block map: for each of {@code entriesPerPage} consecutive blocks, the
 * data object holding it (writer device id and sequence), or sequence 0 for a hole.
 *
 * <p>Stored sparse, so a thin device's map costs only what is allocated:
 *
 * <pre>
 * "DSBM" | u16 version (1) | u32 count | count x (u32 slot | u64 device id | u64 sequence)
 * </pre>
 *
 * <p>Mutable; guarded by the owning device (only its flush mutates a page, under the device's state
 * lock).
 */
final class MapPage {
  private static final int MAGIC = 0x4453424d; // "DSBM"
  private static final int VERSION = 1;

  final long[] deviceIds;
  final long[] seqs;
  int count;

  MapPage(int entries) {
    deviceIds = new long[entries];
    seqs = new long[entries];
  }

  MapPage copy() {
    MapPage c = new MapPage(seqs.length);
    System.arraycopy(deviceIds, 0, c.deviceIds, 0, deviceIds.length);
    System.arraycopy(seqs, 0, c.seqs, 0, seqs.length);
    c.count = count;
    return c;
  }

  /** Sets a slot; returns +1, -1 or 0: the change in allocated slots. */
  int set(int slot, long deviceId, long seq) {
    int before = seqs[slot] != 0 ? 1 : 0;
    deviceIds[slot] = seq == 0 ? 0 : deviceId;
    seqs[slot] = seq;
    int delta = (seq != 0 ? 1 : 0) - before;
    count += delta;
    return delta;
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(10 + count * 20);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(VERSION);
      out.writeInt(count);
      for (int i = 0; i < seqs.length; i++) {
        if (seqs[i] != 0) {
          out.writeInt(i);
          out.writeLong(deviceIds[i]);
          out.writeLong(seqs[i]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static MapPage decode(String device, long page, int entries, byte[] data) {
    MapPage p = new MapPage(entries);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC || in.readUnsignedShort() != VERSION) {
        throw new BlockDeviceException(device, "map page " + page + " has a bad header");
      }
      int n = in.readInt();
      for (int k = 0; k < n; k++) {
        int slot = in.readInt();
        long dev = in.readLong();
        long seq = in.readLong();
        if (slot < 0 || slot >= entries || seq <= 0 || p.seqs[slot] != 0) {
          throw new BlockDeviceException(
              device, "map page " + page + " is corrupt at entry " + k + " (slot " + slot + ")");
        }
        p.set(slot, dev, seq);
      }
    } catch (IOException e) {
      throw new BlockDeviceException(device, "map page " + page + " is truncated");
    }
    return p;
  }
}
