package io.dsblocks.storage;

/**
 * Which object versions garbage collection keeps, besides every version a snapshot shows.
 *
 * <p>Thread-safe (an enum).
 */
public enum VersionRetention {
  /**
   * Keep every version of a key while the key exists (its newest version is not a delete marker),
   * so {@link ObjectStore#get(String, long)} keeps working for old versions. Once a key is deleted,
   * all its versions are garbage unless a snapshot shows one. The default.
   */
  KEEP_ALL_VERSIONS,

  /**
   * Keep only the newest version of each existing key (and what snapshots show): superseded
   * versions and deleted keys are garbage.
   */
  KEEP_LATEST
}
