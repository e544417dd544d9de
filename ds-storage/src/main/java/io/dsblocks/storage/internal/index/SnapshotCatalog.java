package io.dsblocks.storage.internal.index;

import io.dsblocks.storage.Snapshot;
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
import org.rocksdb.RocksIterator;

/**
 * Snapshot records in the {@code snapshots} column family: snapshot id (8, big-endian) to a record
 * sealed with {@code "dsb/snap/1" + id} as associated data:
 *
 * <pre>
 *   u8 format (1) | u64 watermark | i64 created epoch second | i32 nanos
 *   | u32 len, UTF-8 name | u32 n, n x (u32 len, UTF-8 label name, u32 len, UTF-8 value)
 * </pre>
 *
 * <p>Thread-safe.
 */
public final class SnapshotCatalog {
  private static final byte[] DOMAIN = "dsb/snap/1".getBytes(StandardCharsets.US_ASCII);

  private final RepositoryDb db;
  private final ChunkSealer sealer;
  private final IdAllocator ids;

  /**
   * Creates the view.
   *
   * @param db the database
   * @param sealer seals records
   */
  public SnapshotCatalog(RepositoryDb db, ChunkSealer sealer) {
    this.db = db;
    this.sealer = sealer;
    this.ids = new IdAllocator(db, "snapshot", 64);
  }

  /**
   * Allocates an id for a new snapshot.
   *
   * @return a fresh id
   */
  public long nextId() {
    return ids.next();
  }

  /**
   * Writes a snapshot record durably (one synced write).
   *
   * @param s the snapshot
   */
  public void put(Snapshot s) {
    byte[] key = Bytes.longBytes(s.id());
    byte[] plain = encode(s);
    db.put(db.snapshots, key, sealer.seal(plain, 0, plain.length, ad(key)), true);
  }

  /**
   * Reads one snapshot.
   *
   * @param id the id
   * @return it, or null
   */
  public Snapshot get(long id) {
    byte[] key = Bytes.longBytes(id);
    byte[] value = db.get(db.snapshots, key);
    return value == null ? null : open(key, value);
  }

  /**
   * Lists every snapshot in id (creation) order.
   *
   * @return the snapshots
   */
  public List<Snapshot> list() {
    List<Snapshot> out = new ArrayList<>();
    try (RocksIterator it = db.iterator(db.snapshots)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        out.add(open(it.key(), it.value()));
      }
      db.checkIterator(it);
    }
    return out;
  }

  /**
   * Deletes a snapshot record durably.
   *
   * @param id the id
   */
  public void delete(long id) {
    db.delete(db.snapshots, Bytes.longBytes(id), true);
  }

  private static byte[] ad(byte[] key) {
    byte[] out = Arrays.copyOf(DOMAIN, DOMAIN.length + key.length);
    System.arraycopy(key, 0, out, DOMAIN.length, key.length);
    return out;
  }

  private Snapshot open(byte[] key, byte[] sealed) {
    long id = Bytes.getLong(key, 0);
    try {
      byte[] plain = sealer.open(sealed, 0, sealed.length, ad(key));
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain));
      if (in.readUnsignedByte() != 1) {
        throw new IOException("unknown snapshot record format");
      }
      long watermark = in.readLong();
      Instant created = Instant.ofEpochSecond(in.readLong(), in.readInt());
      String name = readString(in);
      int n = in.readInt();
      if (n < 0 || n > in.available()) {
        throw new IOException("bad label count " + n);
      }
      Map<String, String> labels = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        labels.put(readString(in), readString(in));
      }
      return new Snapshot(id, name, labels, created, watermark);
    } catch (IOException | RuntimeException e) {
      throw new StorageCorruptionException(
          "snapshot record " + id + " is corrupt: " + e.getMessage(), e);
    }
  }

  private static byte[] encode(Snapshot s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeLong(s.watermark());
      out.writeLong(s.created().getEpochSecond());
      out.writeInt(s.created().getNano());
      writeString(out, s.name());
      Map<String, String> sorted = new TreeMap<>(s.labels());
      out.writeInt(sorted.size());
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        writeString(out, e.getKey());
        writeString(out, e.getValue());
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
}
