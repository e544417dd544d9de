package io.dsblocks.storage;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One version of an object: what {@link ObjectStore#put}, {@link ObjectStore#stat}, {@link
 * ObjectStore#list} and {@link ObjectStore#versions} describe.
 *
 * <p>A {@linkplain #deleteMarker() delete marker} is the version {@link ObjectStore#delete} adds:
 * it has size 0 and no metadata, and hides the key from {@code get}, {@code stat} and {@code list}
 * while leaving earlier versions readable by id.
 *
 * <p>Immutable and thread-safe.
 *
 * @param key the object's key
 * @param versionId the version's id: unique in the repository, increasing with commit order, never
 *     reused
 * @param size the object's length in bytes (0 for a delete marker)
 * @param metadata the user metadata given to {@code put} (unmodifiable; empty for a delete marker)
 * @param created when the version was committed, from the store's configured clock
 * @param deleteMarker whether this version marks the key as deleted
 */
public record ObjectInfo(
    String key,
    long versionId,
    long size,
    Map<String, String> metadata,
    Instant created,
    boolean deleteMarker) {

  /**
   * Validates and copies the fields.
   *
   * @throws NullPointerException if {@code key}, {@code metadata} or {@code created} is null
   * @throws IllegalArgumentException if {@code versionId} is not positive or {@code size} negative
   */
  public ObjectInfo {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(created, "created");
    if (versionId <= 0) {
      throw new IllegalArgumentException("versionId must be > 0 but was " + versionId);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0 but was " + size);
    }
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }
}
