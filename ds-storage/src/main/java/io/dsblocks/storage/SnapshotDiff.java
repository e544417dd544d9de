package io.dsblocks.storage;

import java.util.List;

/**
 * What changed between two snapshots, from {@link Snapshots#diff(long, long)}: keys in key order.
 *
 * <p>"Changed" means the key names a different version in the two snapshots; a key re-put with the
 * same bytes is a new version and so counts as changed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param added keys present in the second snapshot only
 * @param removed keys present in the first snapshot only
 * @param changed keys present in both with different versions
 */
public record SnapshotDiff(List<String> added, List<String> removed, List<String> changed) {

  /** Copies the lists. */
  public SnapshotDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
  }

  /**
   * Whether nothing changed.
   *
   * @return true if all three lists are empty
   */
  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
  }
}
