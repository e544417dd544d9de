package io.dsblocks.storage;

/**
 * Space accounting of one tier, part of {@link StorageStats#tiers()}.
 *
 * <p>Counters are maintained in the same atomic index writes that commit, migrate or collect the
 * data they describe, so they are exact and cost nothing to read. Logical bytes count object
 * versions by the tier they are assigned to (a new version is hot until a migration pass assigns
 * it); chunk and byte counts count chunks by the tier that holds them. Because a chunk shared by
 * objects in several tiers lives only in the hottest one, a cold tier's dedup ratio can look high
 * (its objects use chunks counted in the hot tier).
 *
 * <p>Immutable and thread-safe.
 *
 * @param tier the tier
 * @param logicalBytes total size of the object versions assigned to this tier
 * @param uniqueBytes uncompressed size of the distinct chunks stored in this tier
 * @param storedBytes size of those chunks as stored (compressed, encrypted, with record headers)
 * @param chunks distinct chunks stored in this tier
 * @param packs pack files of this tier now
 * @param packBytes their total size, including not yet reclaimed space
 */
public record TierStats(
    Tier tier,
    long logicalBytes,
    long uniqueBytes,
    long storedBytes,
    long chunks,
    long packs,
    long packBytes) {

  /**
   * Returns logical bytes divided by unique bytes.
   *
   * @return the dedup ratio (1.0 when the tier stores nothing)
   */
  public double dedupRatio() {
    return uniqueBytes == 0 ? 1.0 : (double) logicalBytes / uniqueBytes;
  }

  /**
   * Returns unique bytes divided by stored bytes: how much this tier's compression saved.
   *
   * @return the compression ratio (1.0 when the tier stores nothing)
   */
  public double compressionRatio() {
    return storedBytes == 0 ? 1.0 : (double) uniqueBytes / storedBytes;
  }
}
