package io.dsblocks.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The snapshots of one repository, from {@link ObjectStore#snapshots()}.
 *
 * <p>A snapshot holds every object exactly as it was at creation: later puts, deletes and garbage
 * collection do not change what it shows. A put or batch in flight while a snapshot is taken is
 * either entirely in it or entirely out of it. Snapshots are durable (one synced index write) and
 * survive restarts.
 *
 * <pre>{@code
 * Snapshot nightly = store.snapshots().create("nightly");
 * try (ObjectStore then = store.snapshots().open(nightly.id())) {
 *   then.get("config.json").transferTo(out);
 * }
 * store.snapshots().applyRetention(
 *     RetentionPolicy.builder().keepDaily(7).keepWeekly(4).keepMonthly(12).build(), false);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public interface Snapshots {

  /**
   * Takes a snapshot, in time independent of the number of objects.
   *
   * @param name a name, at most 1024 UTF-8 bytes
   * @return the snapshot
   */
  default Snapshot create(String name) {
    return create(name, Map.of());
  }

  /**
   * Takes a snapshot with labels.
   *
   * @param name a name, at most 1024 UTF-8 bytes
   * @param labels labels (together at most 64 KiB)
   * @return the snapshot
   */
  Snapshot create(String name, Map<String, String> labels);

  /**
   * Lists every snapshot, oldest first.
   *
   * @return the snapshots
   */
  List<Snapshot> list();

  /**
   * Finds a snapshot.
   *
   * @param snapshotId the id
   * @return the snapshot, if it exists
   */
  Optional<Snapshot> find(long snapshotId);

  /**
   * Opens a snapshot as a read-only store: {@code get}, {@code getRange}, {@code list}, {@code
   * stat}, {@code versions} (versions at or below the snapshot) work; writes and maintenance throw
   * {@link UnsupportedOperationException}. Closing the view does not close the store.
   *
   * @param snapshotId the id
   * @return the view
   * @throws StorageException if there is no such snapshot
   */
  ObjectStore open(long snapshotId);

  /**
   * Copies every object under {@code fromPrefix} in a snapshot into the live store as new versions,
   * replacing the prefix by {@code toPrefix} (pass the same prefix twice to roll back in place).
   * Chunks are deduplicated, so a restore writes almost nothing new. Keys the snapshot lacks are
   * left alone.
   *
   * @param snapshotId the id
   * @param fromPrefix prefix of the keys to restore ("" for all)
   * @param toPrefix prefix to put them under
   * @return the new versions, in key order
   */
  List<ObjectInfo> restore(long snapshotId, String fromPrefix, String toPrefix);

  /**
   * Compares two snapshots.
   *
   * @param from the older (or any) snapshot id
   * @param to the newer (or any) snapshot id
   * @return keys added, removed and changed going from {@code from} to {@code to}
   */
  SnapshotDiff diff(long from, long to);

  /**
   * Deletes a snapshot; its data is reclaimed by the next garbage collection if nothing else uses
   * it.
   *
   * @param snapshotId the id
   * @return true if it existed
   */
  boolean delete(long snapshotId);

  /**
   * Deletes every snapshot a policy does not keep.
   *
   * @param policy the policy
   * @param dryRun true to only report what would be deleted
   * @return the snapshots deleted (or that would be), oldest first
   */
  List<Snapshot> applyRetention(RetentionPolicy policy, boolean dryRun);
}
