package io.dsblocks.storage;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A point-in-time snapshot of a repository's space accounting and dedup-index behaviour, from
 * {@link ObjectStore#stats()}.
 *
 * <p>The byte and chunk counters are persistent: they are updated in the same atomic index write
 * that commits the data they describe, so they survive restarts and crashes. Chunk and stored-byte
 * counters include chunks written by puts that later failed (that space is reclaimed by garbage
 * collection, not by the failed put). The lookup counters count since the store was opened.
 *
 * <p>Immutable and thread-safe.
 *
 * @param versions object versions committed, including delete markers
 * @param logicalBytes total size of every object version committed: what a user wrote
 * @param uniqueBytes uncompressed size of the distinct chunks stored: what is left after dedup
 * @param storedBytes size of those chunks as stored in packs (compressed, encrypted, with
 *     per-record headers): what is left after dedup and compression
 * @param chunks distinct chunks stored
 * @param dedupedChunks chunk references that found their chunk already stored and so wrote nothing
 * @param packs pack files in the repository now
 * @param packBytes total size of the pack files now, including trailers and not yet reclaimed space
 * @param indexLookups dedup-index lookups since open (one per chunk not already being written by a
 *     concurrent put)
 * @param indexFilterSkips lookups answered "new chunk" by the in-memory filter without touching the
 *     on-disk index
 * @param reclaimedBytes pack-file bytes freed by garbage collection over the repository's life
 * @param tiers the same accounting per tier (every tier present, in {@link Tier} order); the tiers'
 *     logical, unique and stored bytes, chunks, packs and pack bytes add up to the totals
 */
public record StorageStats(
    long versions,
    long logicalBytes,
    long uniqueBytes,
    long storedBytes,
    long chunks,
    long dedupedChunks,
    long packs,
    long packBytes,
    long indexLookups,
    long indexFilterSkips,
    long reclaimedBytes,
    Map<Tier, TierStats> tiers) {

  /**
   * Copies the per-tier map so that the record stays immutable.
   *
   * @param versions see the record
   * @param logicalBytes see the record
   * @param uniqueBytes see the record
   * @param storedBytes see the record
   * @param chunks see the record
   * @param dedupedChunks see the record
   * @param packs see the record
   * @param packBytes see the record
   * @param indexLookups see the record
   * @param indexFilterSkips see the record
   * @param reclaimedBytes see the record
   * @param tiers see the record
   */
  public StorageStats {
    Objects.requireNonNull(tiers, "tiers");
    EnumMap<Tier, TierStats> copy = new EnumMap<>(Tier.class);
    copy.putAll(tiers);
    tiers = Collections.unmodifiableMap(copy);
  }

  /**
   * Creates stats without a per-tier breakdown: everything in the hot tier.
   *
   * @param versions see the record
   * @param logicalBytes see the record
   * @param uniqueBytes see the record
   * @param storedBytes see the record
   * @param chunks see the record
   * @param dedupedChunks see the record
   * @param packs see the record
   * @param packBytes see the record
   * @param indexLookups see the record
   * @param indexFilterSkips see the record
   * @param reclaimedBytes see the record
   */
  public StorageStats(
      long versions,
      long logicalBytes,
      long uniqueBytes,
      long storedBytes,
      long chunks,
      long dedupedChunks,
      long packs,
      long packBytes,
      long indexLookups,
      long indexFilterSkips,
      long reclaimedBytes) {
    this(
        versions,
        logicalBytes,
        uniqueBytes,
        storedBytes,
        chunks,
        dedupedChunks,
        packs,
        packBytes,
        indexLookups,
        indexFilterSkips,
        reclaimedBytes,
        allHot(logicalBytes, uniqueBytes, storedBytes, chunks, packs, packBytes));
  }

  private static Map<Tier, TierStats> allHot(
      long logical, long unique, long stored, long chunks, long packs, long packBytes) {
    EnumMap<Tier, TierStats> m = new EnumMap<>(Tier.class);
    for (Tier t : Tier.values()) {
      m.put(
          t,
          t == Tier.HOT
              ? new TierStats(t, logical, unique, stored, chunks, packs, packBytes)
              : new TierStats(t, 0, 0, 0, 0, 0, 0));
    }
    return m;
  }

  /**
   * Returns one tier's accounting.
   *
   * @param tier the tier
   * @return its stats
   */
  public TierStats tier(Tier tier) {
    return tiers.get(Objects.requireNonNull(tier, "tier"));
  }

  /**
   * Creates stats without a reclaimed-bytes figure (the shape before garbage collection existed).
   *
   * @param versions see the record
   * @param logicalBytes see the record
   * @param uniqueBytes see the record
   * @param storedBytes see the record
   * @param chunks see the record
   * @param dedupedChunks see the record
   * @param packs see the record
   * @param packBytes see the record
   * @param indexLookups see the record
   * @param indexFilterSkips see the record
   */
  public StorageStats(
      long versions,
      long logicalBytes,
      long uniqueBytes,
      long storedBytes,
      long chunks,
      long dedupedChunks,
      long packs,
      long packBytes,
      long indexLookups,
      long indexFilterSkips) {
    this(
        versions,
        logicalBytes,
        uniqueBytes,
        storedBytes,
        chunks,
        dedupedChunks,
        packs,
        packBytes,
        indexLookups,
        indexFilterSkips,
        0L);
  }

  /**
   * Returns how many times smaller dedup made the data: logical bytes divided by unique bytes.
   *
   * @return the dedup ratio (1.0 when nothing is stored)
   */
  public double dedupRatio() {
    return uniqueBytes == 0 ? 1.0 : (double) logicalBytes / uniqueBytes;
  }

  /**
   * Returns how many times smaller compression made the unique chunks: unique bytes divided by
   * stored bytes. Below 1.0 when incompressible data pays the per-chunk overhead.
   *
   * @return the compression ratio (1.0 when nothing is stored)
   */
  public double compressionRatio() {
    return storedBytes == 0 ? 1.0 : (double) uniqueBytes / storedBytes;
  }

  /**
   * Returns the overall reduction: logical bytes divided by the bytes the pack files occupy.
   *
   * @return the reduction ratio (1.0 when nothing is stored)
   */
  public double reductionRatio() {
    return packBytes == 0 ? 1.0 : (double) logicalBytes / packBytes;
  }

  /**
   * Returns the fraction of dedup-index lookups that did not read the on-disk index.
   *
   * @return filter skips divided by lookups, in [0, 1] (0 when there were no lookups)
   */
  public double indexFilterSkipRate() {
    return indexLookups == 0 ? 0.0 : (double) indexFilterSkips / indexLookups;
  }
}
