package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.Bytes;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The object catalog: version records in the {@code objects} column family, and pages of large
 * chunk lists in {@code chunk_lists}.
 *
 * <p>Row key: the key's UTF-8 bytes, a 0x00 separator (keys cannot contain NUL, so the separator is
 * unambiguous and a key sorts before every longer key it prefixes), then {@code Long.MAX_VALUE -
 * versionId} big-endian so that a key's newest version comes first in a forward scan.
 *
 * <p>Row value: the version record below, sealed with the repository's chunk sealer, with {@code
 * "dsb/obj/1" + row key} as associated data so a row cannot be swapped onto another key or version:
 *
 * <pre>
 *   u8  format (1)           u8  flags (1 = delete marker, 2 = paged chunk list)
 *   u64 version id           u64 size
 *   i64 created epoch second i32 created nanos
 *   u32 metadata entries, each: u32 length + UTF-8 name, u32 length + UTF-8 value
 *   inline: u32 count, count x (32-byte chunk id, u32 raw length)
 *   paged:  u64 list id, u64 chunk count, u32 pages, pages x u64 first-byte offset
 * </pre>
 *
 * <p>Pages are keyed by list id (8) + page number (4) and sealed with {@code "dsb/list/1" + page
 * key} as associated data.
 *
 * <p>Thread-safe.
 */
public final class Catalog {

  /** References per page, and the most kept inline (147 KiB of references). */
  public static final int PAGE_REFS = 4096;

  /** Bytes per packed reference: chunk id and raw length. */
  public static final int REF_LENGTH = 36;

  private static final byte[] ROW_DOMAIN = "dsb/obj/1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PAGE_DOMAIN = "dsb/list/1".getBytes(StandardCharsets.US_ASCII);
  private static final int FLAG_DELETE_MARKER = 1;
  private static final int FLAG_PAGED = 2;

  private final RepositoryDb db;
  private final ChunkSealer sealer;

  /**
   * Creates a catalog view.
   *
   * @param db the database
   * @param sealer seals rows and pages
   */
  public Catalog(RepositoryDb db, ChunkSealer sealer) {
    this.db = db;
    this.sealer = sealer;
  }

  /**
   * Returns the row key of a version.
   *
   * @param key the object key
   * @param versionId the version
   * @return the row key
   */
  public static byte[] rowKey(String key, long versionId) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] row = Arrays.copyOf(k, k.length + 9);
    Bytes.putLong(row, k.length + 1, Long.MAX_VALUE - versionId);
    return row;
  }

  private static byte[] keyPrefix(byte[] utf8Key) {
    return Arrays.copyOf(utf8Key, utf8Key.length + 1);
  }

  /** The smallest byte string greater than every row key of {@code utf8Key}. */
  private static byte[] afterKey(byte[] utf8Key) {
    byte[] k = Arrays.copyOf(utf8Key, utf8Key.length + 1);
    k[utf8Key.length] = 1;
    return k;
  }

  /**
   * Adds a version record to a batch.
   *
   * @param batch the batch
   * @param record the version
   */
  public void stageVersion(WriteBatch batch, VersionRecord record) {
    ObjectInfo info = record.info();
    byte[] rowKey = rowKey(info.key(), info.versionId());
    byte[] plain = encode(record);
    byte[] sealed = sealer.seal(plain, 0, plain.length, concat(ROW_DOMAIN, rowKey));
    try {
      batch.put(db.objects, rowKey, sealed);
    } catch (RocksDBException e) {
      throw db.failure("stage", e);
    }
  }

  /**
   * Returns the newest version of a key, delete marker or not.
   *
   * @param key the key
   * @return the newest version, or null if the key never existed
   */
  public VersionRecord latest(String key) {
    byte[] prefix = keyPrefix(key.getBytes(StandardCharsets.UTF_8));
    try (RocksIterator it = db.iterator(db.objects)) {
      it.seek(prefix);
      if (it.isValid()) {
        byte[] rowKey = it.key();
        if (isRowOf(rowKey, prefix)) {
          return open(rowKey, it.value());
        }
      }
      db.checkIterator(it);
    }
    return null;
  }

  /**
   * Returns one version of a key.
   *
   * @param key the key
   * @param versionId the version
   * @return the version, or null if there is none
   */
  public VersionRecord version(String key, long versionId) {
    byte[] rowKey = rowKey(key, versionId);
    byte[] value = db.get(db.objects, rowKey);
    return value == null ? null : open(rowKey, value);
  }

  /**
   * Returns every version of a key, newest first.
   *
   * @param key the key
   * @return versions, delete markers included
   */
  public List<ObjectInfo> versions(String key) {
    byte[] prefix = keyPrefix(key.getBytes(StandardCharsets.UTF_8));
    List<ObjectInfo> out = new ArrayList<>();
    try (RocksIterator it = db.iterator(db.objects)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        byte[] rowKey = it.key();
        if (!isRowOf(rowKey, prefix)) {
          break;
        }
        out.add(open(rowKey, it.value()).info());
      }
      db.checkIterator(it);
    }
    return out;
  }

  /**
   * Lists the newest version of live keys with a prefix, in key order.
   *
   * @param prefix key prefix
   * @param startAfter return only keys greater than this ("" for no bound)
   * @param limit most results
   * @return up to {@code limit} versions
   */
  public List<ObjectInfo> list(String prefix, String startAfter, int limit) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] seek = p;
    if (!startAfter.isEmpty()) {
      byte[] after = afterKey(startAfter.getBytes(StandardCharsets.UTF_8));
      if (Arrays.compareUnsigned(after, seek) > 0) {
        seek = after;
      }
    }
    List<ObjectInfo> out = new ArrayList<>();
    try (RocksIterator it = db.iterator(db.objects)) {
      it.seek(seek);
      while (it.isValid() && out.size() < limit) {
        byte[] rowKey = it.key();
        if (!startsWith(rowKey, p)) {
          break;
        }
        // The first row of a key is its newest version.
        VersionRecord newest = open(rowKey, it.value());
        if (!newest.info().deleteMarker()) {
          out.add(newest.info());
        }
        // Skip the key's older versions in one seek instead of decrypting them.
        it.seek(afterKey(Arrays.copyOf(rowKey, rowKey.length - 9)));
      }
      db.checkIterator(it);
    }
    return out;
  }

  /**
   * Returns the newest version of a key with an id at or below a watermark, delete marker or not.
   *
   * @param key the key
   * @param watermark the highest version id to consider
   * @return that version, or null if the key had no version then
   */
  public VersionRecord latestAt(String key, long watermark) {
    byte[] prefix = keyPrefix(key.getBytes(StandardCharsets.UTF_8));
    try (RocksIterator it = db.iterator(db.objects)) {
      // Rows sort by MAX - id, so the seek lands on the newest row with an id <= watermark.
      it.seek(rowKey(key, watermark));
      if (it.isValid()) {
        byte[] rowKey = it.key();
        if (isRowOf(rowKey, prefix)) {
          return open(rowKey, it.value());
        }
      }
      db.checkIterator(it);
    }
    return null;
  }

  /**
   * Lists, in key order, the version each key with a prefix had at a watermark, skipping keys that
   * were absent or deleted then.
   *
   * @param prefix key prefix
   * @param startAfter return only keys greater than this ("" for no bound)
   * @param limit most results
   * @param watermark the highest version id to consider
   * @return up to {@code limit} versions
   */
  public List<ObjectInfo> listAt(String prefix, String startAfter, int limit, long watermark) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] seek = p;
    if (!startAfter.isEmpty()) {
      byte[] after = afterKey(startAfter.getBytes(StandardCharsets.UTF_8));
      if (Arrays.compareUnsigned(after, seek) > 0) {
        seek = after;
      }
    }
    List<ObjectInfo> out = new ArrayList<>();
    try (RocksIterator it = db.iterator(db.objects)) {
      it.seek(seek);
      while (it.isValid() && out.size() < limit) {
        byte[] rowKey = it.key();
        if (!startsWith(rowKey, p)) {
          break;
        }
        byte[] utf8Key = Arrays.copyOf(rowKey, rowKey.length - 9);
        byte[] keyPrefix = keyPrefix(utf8Key);
        if (Long.MAX_VALUE - Bytes.getLong(rowKey, rowKey.length - 8) > watermark) {
          byte[] at = Arrays.copyOf(keyPrefix, keyPrefix.length + 8);
          Bytes.putLong(at, keyPrefix.length, Long.MAX_VALUE - watermark);
          it.seek(at);
          if (!it.isValid()) {
            break;
          }
          rowKey = it.key();
        }
        if (isRowOf(rowKey, keyPrefix)) {
          VersionRecord visible = open(rowKey, it.value());
          if (!visible.info().deleteMarker()) {
            out.add(visible.info());
          }
        }
        it.seek(afterKey(utf8Key));
      }
      db.checkIterator(it);
    }
    return out;
  }

  /**
   * One catalog row, not yet decrypted.
   *
   * @param key the object key
   * @param versionId the version
   * @param rowKey the row key
   * @param sealed the sealed value
   */
  public record Row(String key, long versionId, byte[] rowKey, byte[] sealed) {}

  /** Receives the rows of one key at a time during {@link #forEachKey}. */
  @FunctionalInterface
  public interface KeyVisitor {
    /**
     * One key's rows.
     *
     * @param rows newest first
     */
    void key(List<Row> rows);
  }

  /**
   * Visits every key with a prefix, in key order, handing over all its rows (newest first).
   *
   * @param prefix key prefix ("" for all)
   * @param readOptions read options (e.g. with a consistent snapshot), not closed here
   * @param visitor receives each key's rows
   */
  public void forEachKey(String prefix, org.rocksdb.ReadOptions readOptions, KeyVisitor visitor) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    List<Row> rows = new ArrayList<>();
    byte[] current = null;
    try (RocksIterator it = db.iterator(db.objects, readOptions)) {
      for (it.seek(p); it.isValid(); it.next()) {
        byte[] rowKey = it.key();
        if (!startsWith(rowKey, p)) {
          break;
        }
        byte[] utf8Key = Arrays.copyOf(rowKey, rowKey.length - 9);
        if (current != null && !Arrays.equals(current, utf8Key)) {
          visitor.key(rows);
          rows = new ArrayList<>();
        }
        current = utf8Key;
        rows.add(
            new Row(
                new String(utf8Key, StandardCharsets.UTF_8),
                Long.MAX_VALUE - Bytes.getLong(rowKey, rowKey.length - 8),
                rowKey,
                it.value()));
      }
      db.checkIterator(it);
    }
    if (!rows.isEmpty()) {
      visitor.key(rows);
    }
  }

  /**
   * Decrypts and decodes a row from {@link #forEachKey}.
   *
   * @param row the row
   * @return the version record
   * @throws StorageCorruptionException if it fails authentication or decoding
   */
  public VersionRecord open(Row row) {
    return open(row.rowKey(), row.sealed());
  }

  /**
   * Stages the removal of a version row and its chunk-list pages (garbage collection).
   *
   * @param batch the batch
   * @param record the version
   */
  public void stageRemoval(WriteBatch batch, VersionRecord record) {
    ObjectInfo info = record.info();
    try {
      batch.delete(db.objects, rowKey(info.key(), info.versionId()));
      ChunkList chunks = record.chunks();
      if (chunks.paged()) {
        batch.deleteRange(
            db.chunkLists, pageKey(chunks.listId(), 0), pageKey(chunks.listId() + 1, 0));
      }
    } catch (RocksDBException e) {
      throw db.failure("stage", e);
    }
  }

  /** Receives every catalog row during a full scan. */
  public interface VersionVisitor {
    /**
     * A readable row.
     *
     * @param record the version
     */
    void version(VersionRecord record);

    /**
     * A row that failed authentication or decoding.
     *
     * @param key its key
     * @param versionId its version
     * @param error what failed
     */
    void unreadable(String key, long versionId, StorageCorruptionException error);
  }

  /**
   * Visits every version of every key (for verification), in key order.
   *
   * @param visitor receives each version
   */
  public void forEachVersion(VersionVisitor visitor) {
    try (RocksIterator it = db.iterator(db.objects)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] rowKey = it.key();
        VersionRecord record;
        try {
          record = open(rowKey, it.value());
        } catch (StorageCorruptionException e) {
          visitor.unreadable(
              new String(rowKey, 0, rowKey.length - 9, StandardCharsets.UTF_8),
              Long.MAX_VALUE - Bytes.getLong(rowKey, rowKey.length - 8),
              e);
          continue;
        }
        visitor.version(record);
      }
      db.checkIterator(it);
    }
  }

  /**
   * Adds one page of packed references to a batch.
   *
   * @param batch the batch
   * @param listId the list
   * @param page page number from 0
   * @param refs packed references
   * @param length bytes of {@code refs} to store
   */
  public void stagePage(WriteBatch batch, long listId, int page, byte[] refs, int length) {
    byte[] key = pageKey(listId, page);
    byte[] sealed = sealer.seal(refs, 0, length, concat(PAGE_DOMAIN, key));
    try {
      batch.put(db.chunkLists, key, sealed);
    } catch (RocksDBException e) {
      throw db.failure("stage", e);
    }
  }

  /**
   * Reads one page of references.
   *
   * @param listId the list
   * @param page page number
   * @return packed references
   * @throws StorageCorruptionException if the page is missing or fails authentication
   */
  public byte[] page(long listId, int page) {
    byte[] key = pageKey(listId, page);
    byte[] sealed = db.get(db.chunkLists, key);
    if (sealed == null) {
      throw new StorageCorruptionException(
          "catalog: chunk list " + listId + " page " + page + " is missing");
    }
    try {
      return sealer.open(sealed, 0, sealed.length, concat(PAGE_DOMAIN, key));
    } catch (StorageCorruptionException e) {
      throw new StorageCorruptionException(
          "catalog: chunk list " + listId + " page " + page + " failed authentication", e);
    }
  }

  /**
   * Deletes every page of a list (after a failed put).
   *
   * @param listId the list
   */
  public void deleteList(long listId) {
    db.deleteRange(db.chunkLists, pageKey(listId, 0), pageKey(listId + 1, 0));
  }

  private static byte[] pageKey(long listId, int page) {
    byte[] k = new byte[12];
    Bytes.putLong(k, 0, listId);
    Bytes.putInt(k, 8, page);
    return k;
  }

  private static boolean isRowOf(byte[] rowKey, byte[] prefix) {
    return rowKey.length == prefix.length + 8 && startsWith(rowKey, prefix);
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    return b.length >= prefix.length
        && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private VersionRecord open(byte[] rowKey, byte[] sealed) {
    String key = new String(rowKey, 0, rowKey.length - 9, StandardCharsets.UTF_8);
    long versionId = Long.MAX_VALUE - Bytes.getLong(rowKey, rowKey.length - 8);
    byte[] plain;
    try {
      plain = sealer.open(sealed, 0, sealed.length, concat(ROW_DOMAIN, rowKey));
    } catch (StorageCorruptionException e) {
      throw new StorageCorruptionException(
          "catalog: record of object '" + key + "' version " + versionId + " is corrupt", e);
    }
    try {
      return decode(key, plain);
    } catch (IOException | RuntimeException e) {
      throw new StorageCorruptionException(
          "catalog: record of object '" + key + "' version " + versionId + " is malformed", e);
    }
  }

  private static byte[] encode(VersionRecord record) {
    ObjectInfo info = record.info();
    ChunkList chunks = record.chunks();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (int) chunks.chunkCount() * 36);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeByte(
          (info.deleteMarker() ? FLAG_DELETE_MARKER : 0) | (chunks.paged() ? FLAG_PAGED : 0));
      out.writeLong(info.versionId());
      out.writeLong(info.size());
      out.writeLong(info.created().getEpochSecond());
      out.writeInt(info.created().getNano());
      // Sorted so that equal metadata encodes identically.
      Map<String, String> sorted = new TreeMap<>(info.metadata());
      out.writeInt(sorted.size());
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        writeString(out, e.getKey());
        writeString(out, e.getValue());
      }
      if (chunks.paged()) {
        out.writeLong(chunks.listId());
        out.writeLong(chunks.chunkCount());
        out.writeInt(chunks.pageStarts().length);
        for (long start : chunks.pageStarts()) {
          out.writeLong(start);
        }
      } else {
        out.writeInt((int) chunks.chunkCount());
        out.write(chunks.inline(), 0, (int) chunks.chunkCount() * REF_LENGTH);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("bad string length " + n);
    }
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  private static VersionRecord decode(String key, byte[] plain) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain));
    int format = in.readUnsignedByte();
    if (format != 1) {
      throw new IOException("unknown record format " + format);
    }
    int flags = in.readUnsignedByte();
    long versionId = in.readLong();
    long size = in.readLong();
    Instant created = Instant.ofEpochSecond(in.readLong(), in.readInt());
    int metaCount = in.readInt();
    if (metaCount < 0 || metaCount > in.available()) {
      throw new IOException("bad metadata count " + metaCount);
    }
    Map<String, String> metadata = new TreeMap<>();
    for (int i = 0; i < metaCount; i++) {
      metadata.put(readString(in), readString(in));
    }
    ChunkList chunks;
    if ((flags & FLAG_PAGED) != 0) {
      long listId = in.readLong();
      long count = in.readLong();
      int pages = in.readInt();
      if (pages < 0 || pages > in.available() / 8) {
        throw new IOException("bad page count " + pages);
      }
      long[] starts = new long[pages];
      for (int i = 0; i < pages; i++) {
        starts[i] = in.readLong();
      }
      chunks = new ChunkList(null, listId, count, starts);
    } else {
      int count = in.readInt();
      if (count < 0 || count > in.available() / REF_LENGTH) {
        throw new IOException("bad chunk count " + count);
      }
      chunks =
          count == 0
              ? ChunkList.EMPTY
              : new ChunkList(in.readNBytes(count * REF_LENGTH), 0, count, new long[0]);
    }
    ObjectInfo info =
        new ObjectInfo(key, versionId, size, metadata, created, (flags & FLAG_DELETE_MARKER) != 0);
    return new VersionRecord(info, chunks);
  }
}
