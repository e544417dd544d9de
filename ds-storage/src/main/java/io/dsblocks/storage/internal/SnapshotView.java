package io.dsblocks.storage.internal;

import io.dsblocks.storage.ObjectInfo;
import io.dsblocks.storage.ObjectNotFoundException;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.Snapshot;
import io.dsblocks.storage.StorageStats;
import io.dsblocks.storage.VerificationReport;
import io.dsblocks.storage.internal.index.VersionRecord;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * A read-only {@link ObjectStore} over a snapshot: each key shows its newest version with an id at
 * or below the snapshot's watermark, unless that version is a delete marker. Since no version at or
 * below the watermark can appear or change later, and garbage collection keeps every version a
 * snapshot shows, the view never changes.
 *
 * <p>Thread-safe; closing it does nothing to the store.
 */
final class SnapshotView implements ObjectStore {
  private final DefaultObjectStore store;
  private final Snapshot snapshot;

  SnapshotView(DefaultObjectStore store, Snapshot snapshot) {
    this.store = store;
    this.snapshot = snapshot;
  }

  private UnsupportedOperationException readOnly(String op) {
    return new UnsupportedOperationException(
        op
            + " is not allowed: snapshot "
            + snapshot.id()
            + " ('"
            + snapshot.name()
            + "') is read-only; use Snapshots.restore to copy objects back into the store");
  }

  @Override
  public ObjectInfo put(String key, InputStream data, Map<String, String> metadata) {
    throw readOnly("put");
  }

  @Override
  public Batch batch() {
    throw readOnly("batch");
  }

  @Override
  public boolean delete(String key) {
    throw readOnly("delete");
  }

  @Override
  public long rebuildIndex() {
    throw readOnly("rebuildIndex");
  }

  @Override
  public VerificationReport verify() {
    throw readOnly("verify");
  }

  VersionRecord visible(String key) {
    Lock l = store.enter();
    VersionRecord rec;
    try {
      rec = store.catalog.latestAt(key, snapshot.watermark());
    } finally {
      l.unlock();
    }
    if (rec == null || rec.info().deleteMarker()) {
      throw new ObjectNotFoundException(key, 0);
    }
    return rec;
  }

  @Override
  public InputStream get(String key) {
    Validation.key(key);
    VersionRecord rec = visible(key);
    return new ObjectReadStream(store, rec, 0, rec.info().size());
  }

  @Override
  public InputStream get(String key, long versionId) {
    Validation.key(key);
    Validation.versionId(versionId);
    if (versionId > snapshot.watermark()) {
      throw new ObjectNotFoundException(key, versionId);
    }
    return store.get(key, versionId);
  }

  @Override
  public InputStream getRange(String key, long offset, long length) {
    Validation.key(key);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0 but was " + offset);
    }
    if (length < 0) {
      throw new IllegalArgumentException("length must be >= 0 but was " + length);
    }
    VersionRecord rec = visible(key);
    long size = rec.info().size();
    if (offset > size) {
      throw new IllegalArgumentException(
          "offset must be in [0, " + size + "] (the size of '" + key + "') but was " + offset);
    }
    long end = length > size - offset ? size : offset + length;
    return new ObjectReadStream(store, rec, offset, end);
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    return list(prefix, "", Integer.MAX_VALUE);
  }

  @Override
  public List<ObjectInfo> list(String prefix, String startAfter, int limit) {
    Validation.prefix("prefix", prefix);
    Validation.prefix("startAfter", startAfter);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1 but was " + limit);
    }
    Lock l = store.enter();
    try {
      return store.catalog.listAt(prefix, startAfter, limit, snapshot.watermark());
    } finally {
      l.unlock();
    }
  }

  @Override
  public List<ObjectInfo> versions(String key) {
    List<ObjectInfo> out = new ArrayList<>();
    for (ObjectInfo info : store.versions(key)) {
      if (info.versionId() <= snapshot.watermark()) {
        out.add(info);
      }
    }
    return out;
  }

  @Override
  public Optional<ObjectInfo> stat(String key) {
    Validation.key(key);
    try {
      return Optional.of(visible(key).info());
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }

  @Override
  public StorageStats stats() {
    return store.stats();
  }

  @Override
  public Path directory() {
    return store.directory();
  }

  @Override
  public void close() {
    // A view owns nothing.
  }

  @Override
  public String toString() {
    return "SnapshotView[" + snapshot.id() + " '" + snapshot.name() + "' of " + store + "]";
  }
}
