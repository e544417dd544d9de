package io.dsblocks.storage;

/**
 * A storage tier: where a chunk's bytes live and how they are compressed there.
 *
 * <p>Each tier is its own backend, a directory of pack files with its own compression setting (see
 * {@link StorageConfig.Builder#tierCompression} and {@link StorageConfig.Builder#tierDirectory}).
 * New data is always written to {@link #HOT}; objects move to colder tiers by age ({@link
 * TierPolicy}) or on request ({@link ObjectStore#moveToTier}). Reads are transparent across tiers.
 *
 * <p>Tiers are ordered from hottest to coldest: a chunk shared by objects in different tiers lives
 * in the hottest of them.
 */
public enum Tier {
  /** Recently used data: fast compression (LZ4 by default), in the repository's {@code packs/}. */
  HOT,
  /** Data not read for a while: zstd level 3 by default, in {@code packs-cold/}. */
  COLD,
  /** Data kept for the record: zstd level 19 by default, in {@code packs-archival/}. */
  ARCHIVAL;

  /**
   * Returns whether this tier is hotter than another.
   *
   * @param other the other tier
   * @return true if this tier comes first in {@code HOT, COLD, ARCHIVAL}
   */
  public boolean hotterThan(Tier other) {
    return ordinal() < other.ordinal();
  }
}
