package io.dsblocks.storage.internal;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.RetentionPolicy;
import io.dsblocks.storage.Snapshot;
import io.dsblocks.storage.SnapshotDiff;
import io.dsblocks.storage.Snapshots;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.index.Catalog;
import io.dsblocks.storage.internal.index.VersionRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import org.rocksdb.ReadOptions;

/**
 * {@link Snapshots} of a {@link DefaultObjectStore}. Creation reads the commit watermark and writes
 * one record under the store's snapshot lock (which a starting GC cycle also takes, so it never
 * misses a snapshot being created).
 *
 * <p>Thread-safe.
 */
final class DefaultSnapshots implements Snapshots {
  private final DefaultObjectStore store;

  DefaultSnapshots(DefaultObjectStore store) {
    this.store = store;
  }

  @Override
  public Snapshot create(String name, Map<String, String> labels) {
    Objects.requireNonNull(name, "name");
    if (name.getBytes(StandardCharsets.UTF_8).length > ObjectStore.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "name must be at most " + ObjectStore.MAX_KEY_BYTES + " UTF-8 bytes but was " + name);
    }
    Validation.metadata(labels);
    Lock l = store.enter();
    try {
      synchronized (store.snapshotLock) {
        Snapshot s =
            new Snapshot(
                store.snapshotStore.nextId(),
                name,
                labels,
                store.config().clock().instant(),
                store.watermark.watermark());
        store.snapshotStore.put(s);
        return s;
      }
    } finally {
      l.unlock();
    }
  }

  @Override
  public List<Snapshot> list() {
    Lock l = store.enter();
    try {
      return store.snapshotStore.list();
    } finally {
      l.unlock();
    }
  }

  @Override
  public Optional<Snapshot> find(long snapshotId) {
    Lock l = store.enter();
    try {
      return Optional.ofNullable(store.snapshotStore.get(snapshotId));
    } finally {
      l.unlock();
    }
  }

  private Snapshot require(long snapshotId) {
    return find(snapshotId)
        .orElseThrow(
            () ->
                new StorageException(
                    "no snapshot with id " + snapshotId + " in repository " + store.directory()));
  }

  @Override
  public ObjectStore open(long snapshotId) {
    return new SnapshotView(store, require(snapshotId));
  }

  @Override
  public List<ObjectInfo> restore(long snapshotId, String fromPrefix, String toPrefix) {
    Validation.prefix("fromPrefix", fromPrefix);
    Validation.prefix("toPrefix", toPrefix);
    SnapshotView view = new SnapshotView(store, require(snapshotId));
    List<ObjectInfo> restored = new ArrayList<>();
    String after = "";
    while (true) {
      // Pages of listing: memory stays bounded however many objects the prefix holds.
      List<ObjectInfo> page = view.list(fromPrefix, after, 256);
      if (page.isEmpty()) {
        return restored;
      }
      for (ObjectInfo info : page) {
        String target = toPrefix + info.key().substring(fromPrefix.length());
        try (InputStream in = view.get(info.key())) {
          restored.add(store.put(target, in, info.metadata()));
        } catch (IOException e) {
          throw new StorageException("restoring '" + info.key() + "' failed: " + e.getMessage(), e);
        }
        after = info.key();
      }
    }
  }

  @Override
  public SnapshotDiff diff(long from, long to) {
    long wa = require(from).watermark();
    long wb = require(to).watermark();
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    Lock l = store.enter();
    try (ReadOptions ro = new ReadOptions()) {
      store.catalog.forEachKey(
          "",
          ro,
          rows -> {
            long va = visibleVersion(rows, wa);
            long vb = visibleVersion(rows, wb);
            String key = rows.get(0).key();
            if (va == 0 && vb != 0) {
              added.add(key);
            } else if (va != 0 && vb == 0) {
              removed.add(key);
            } else if (va != vb) {
              changed.add(key);
            }
          });
    } finally {
      l.unlock();
    }
    return new SnapshotDiff(added, removed, changed);
  }

  /** The version a key shows at a watermark, or 0 if absent or deleted then. */
  private long visibleVersion(List<Catalog.Row> newestFirst, long watermark) {
    for (Catalog.Row row : newestFirst) {
      if (row.versionId() <= watermark) {
        VersionRecord rec = store.catalog.open(row);
        return rec.info().deleteMarker() ? 0 : rec.info().versionId();
      }
    }
    return 0;
  }

  @Override
  public boolean delete(long snapshotId) {
    Lock l = store.enter();
    try {
      synchronized (store.snapshotLock) {
        if (store.snapshotStore.get(snapshotId) == null) {
          return false;
        }
        store.snapshotStore.delete(snapshotId);
        return true;
      }
    } finally {
      l.unlock();
    }
  }

  @Override
  public List<Snapshot> applyRetention(RetentionPolicy policy, boolean dryRun) {
    Objects.requireNonNull(policy, "policy");
    List<Snapshot> all = list();
    Set<Long> keep = policy.keep(all);
    List<Snapshot> doomed = new ArrayList<>();
    for (Snapshot s : all) {
      if (!keep.contains(s.id())) {
        doomed.add(s);
        if (!dryRun) {
          delete(s.id());
        }
      }
    }
    return doomed;
  }
}
