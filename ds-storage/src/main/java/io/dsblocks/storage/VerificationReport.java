package io.dsblocks.storage;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ObjectStore#verify()} found: every committed chunk record was read back, its checksum
 * and authentication tag checked, and every object version's chunks looked up.
 *
 * <p>Immutable and thread-safe.
 *
 * @param packsChecked pack files examined
 * @param chunksChecked chunk records read and authenticated
 * @param damagedPacks packs with at least one problem, one entry per pack (in pack order)
 * @param damagedObjects object versions that cannot be read in full, one entry per version
 */
public record VerificationReport(
    int packsChecked,
    long chunksChecked,
    List<DamagedPack> damagedPacks,
    List<DamagedObject> damagedObjects) {

  /**
   * Validates and copies the lists.
   *
   * @throws NullPointerException if a list is null
   */
  public VerificationReport {
    damagedPacks = List.copyOf(Objects.requireNonNull(damagedPacks, "damagedPacks"));
    damagedObjects = List.copyOf(Objects.requireNonNull(damagedObjects, "damagedObjects"));
  }

  /**
   * Returns whether nothing was found damaged.
   *
   * @return true if there are no damaged packs and no damaged objects
   */
  public boolean healthy() {
    return damagedPacks.isEmpty() && damagedObjects.isEmpty();
  }

  /**
   * A pack file that failed a check.
   *
   * @param pack the pack's file name, e.g. {@code 000000000000002a.pack}
   * @param damagedChunks committed chunk records in it that could not be read or authenticated
   * @param reason the first problem found, e.g. a checksum mismatch at an offset, or a truncation
   */
  public record DamagedPack(String pack, long damagedChunks, String reason) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if {@code pack} or {@code reason} is null
     */
    public DamagedPack {
      Objects.requireNonNull(pack, "pack");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * An object version that references at least one damaged or missing chunk.
   *
   * @param key the object's key
   * @param versionId the damaged version
   * @param packs the packs holding its damaged chunks (file names; empty if a chunk is missing from
   *     the index altogether)
   * @param damagedChunks how many of its chunk references cannot be read
   */
  public record DamagedObject(String key, long versionId, List<String> packs, long damagedChunks) {

    /**
     * Validates and copies the fields.
     *
     * @throws NullPointerException if {@code key} or {@code packs} is null
     */
    public DamagedObject {
      Objects.requireNonNull(key, "key");
      packs = List.copyOf(Objects.requireNonNull(packs, "packs"));
    }
  }
}
