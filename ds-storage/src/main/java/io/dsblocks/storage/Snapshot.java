package io.dsblocks.storage;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A point-in-time view of a whole repository: every object as it was when the snapshot was taken.
 *
 * <p>A snapshot is a small record, not a copy: versions are immutable and version ids grow with
 * commits, so "the newest version of each key with an id at or below {@link #watermark()}" is the
 * repository at that moment. Creating one costs one index write whatever the number of objects.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the snapshot id, unique in the repository and never reused
 * @param name the name given at creation (not necessarily unique)
 * @param labels free-form labels given at creation
 * @param created when it was taken, from the store's clock
 * @param watermark the highest version id it contains; every version at or below it was settled
 *     (committed or failed) when it was taken
 */
public record Snapshot(
    long id, String name, Map<String, String> labels, Instant created, long watermark) {

  /**
   * Checks arguments and copies the labels.
   *
   * @throws NullPointerException if name, labels or created is null
   */
  public Snapshot {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(created, "created");
    labels = Map.copyOf(Objects.requireNonNull(labels, "labels"));
  }
}
