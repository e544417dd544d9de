package io.dsblocks.storage.internal.fs;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.fs.FileType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One directory's entries: name to (type, inode, size, mtime). Immutable; a change makes a new node
 * (copy-on-write), so readers can hold one without locks.
 *
 * <p>Stored as the object {@code filestore/<fs>/d/<inode>}:
 *
 * <pre>
 * "DSFD" | u16 version (1) | u32 count
 *        | count x (modified-UTF-8 name | u8 type (0 file, 1 dir) | u64 inode | u64 size
 *                   | i64 mtime epoch seconds | u32 mtime nanos)
 * </pre>
 */
final class DirNode {
  private static final int MAGIC = 0x44534644; // "DSFD"
  private static final int VERSION = 1;

  static final DirNode EMPTY = new DirNode(new TreeMap<>());

  /** One directory entry. */
  record Entry(FileType type, long inode, long size, Instant modified) {}

  private final NavigableMap<String, Entry> entries;

  private DirNode(TreeMap<String, Entry> entries) {
    this.entries = Collections.unmodifiableNavigableMap(entries);
  }

  NavigableMap<String, Entry> entries() {
    return entries;
  }

  Entry get(String name) {
    return entries.get(name);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  DirNode with(String name, Entry e) {
    TreeMap<String, Entry> m = new TreeMap<>(entries);
    m.put(name, e);
    return new DirNode(m);
  }

  DirNode without(String name) {
    TreeMap<String, Entry> m = new TreeMap<>(entries);
    m.remove(name);
    return new DirNode(m);
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + entries.size() * 48);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeShort(VERSION);
      out.writeInt(entries.size());
      for (var e : entries.entrySet()) {
        Entry v = e.getValue();
        out.writeUTF(e.getKey());
        out.writeByte(v.type() == FileType.FILE ? 0 : 1);
        out.writeLong(v.inode());
        out.writeLong(v.size());
        out.writeLong(v.modified().getEpochSecond());
        out.writeInt(v.modified().getNano());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static DirNode decode(String key, byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC || in.readUnsignedShort() != VERSION) {
        throw new StorageCorruptionException("directory object '" + key + "' has a bad header");
      }
      int n = in.readInt();
      TreeMap<String, Entry> m = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        int type = in.readUnsignedByte();
        if (type > 1) {
          throw new StorageCorruptionException(
              "directory object '"
                  + key
                  + "' has a bad entry type "
                  + type
                  + " for '"
                  + name
                  + "'");
        }
        m.put(
            name,
            new Entry(
                type == 0 ? FileType.FILE : FileType.DIRECTORY,
                in.readLong(),
                in.readLong(),
                Instant.ofEpochSecond(in.readLong(), in.readInt())));
      }
      return new DirNode(m);
    } catch (IOException e) {
      throw new StorageCorruptionException("directory object '" + key + "' is truncated");
    }
  }
}
