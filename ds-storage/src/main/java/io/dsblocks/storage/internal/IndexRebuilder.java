package io.dsblocks.storage.internal;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.pack.PackFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.WriteBatch;

/**
 * Rebuilds the dedup index and the per-pack entry lists from the pack trailers alone. Runs with the
 * store's gate held exclusively, so no put is in flight. The catalog is not touched: it lives in
 * the same database and references chunks by id, which the rebuilt index resolves again.
 *
 * <p>Not thread-safe: one instance per call.
 */
final class IndexRebuilder {
  private final DefaultObjectStore store;

  IndexRebuilder(DefaultObjectStore store) {
    this.store = store;
  }

  long run() {
    // Every pack must have a trailer first.
    for (io.dsblocks.storage.internal.pack.PackWriter w : store.writers) {
      w.sealCurrent();
    }
    store.db.deleteRange(store.db.chunks, new byte[0], ones(33));
    store.db.deleteRange(store.db.packEntries, new byte[0], ones(17));
    long count = 0;
    for (long id : store.listAllPacks()) {
      String name = PackFormat.fileName(id);
      if (store.isUnsealed(id)) {
        notifyDamaged(name, "pack has no trailer yet (its last write failed); not indexed");
        continue;
      }
      List<IndexedChunk> entries;
      try {
        entries = store.packReader.readTrailer(id, store.sealer);
      } catch (StorageCorruptionException e) {
        notifyDamaged(name, e.getMessage());
        continue;
      }
      try (WriteBatch batch = new WriteBatch()) {
        for (IndexedChunk e : entries) {
          store.index.stage(batch, e);
        }
        store.db.write(batch, false);
      }
      count += entries.size();
    }
    // One synced write makes every batch above durable (they share the write-ahead log).
    store.db.put(
        store.db.meta,
        "index.rebuilt".getBytes(StandardCharsets.US_ASCII),
        io.dsblocks.storage.internal.Bytes.longBytes(count),
        true);
    store.index.reloadFilter();
    return count;
  }

  private static byte[] ones(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 0xff);
    return b;
  }

  private void notifyDamaged(String name, String reason) {
    try {
      store.listener.onPackDamaged(name, reason);
    } catch (RuntimeException ignored) {
      // Listener errors must not break the rebuild.
    }
  }
}
