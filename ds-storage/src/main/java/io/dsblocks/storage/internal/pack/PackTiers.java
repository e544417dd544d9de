package io.dsblocks.storage.internal.pack;

import io.dsblocks.storage.Tier;

/**
 * The tier of a pack is encoded in the top bits of its id: bits 60-61 hold the tier's ordinal (0 =
 * hot, so every pack written before tiers existed is hot), the low 60 bits a sequence number from
 * the one pack id allocator. Why in the id: a chunk location already names its pack, so the read
 * path finds the tier's directory without another index lookup, and the index format does not
 * change.
 */
public final class PackTiers {
  private PackTiers() {}

  /** Bit position of the tier in a pack id. */
  public static final int SHIFT = 60;

  private static final Tier[] TIERS = Tier.values();

  /**
   * Returns the tier a pack belongs to.
   *
   * @param packId the pack
   * @return its tier
   */
  public static Tier tierOf(long packId) {
    return TIERS[(int) (packId >>> SHIFT) & 3];
  }

  /**
   * Returns the ordinal of a pack's tier.
   *
   * @param packId the pack
   * @return 0 (hot), 1 (cold) or 2 (archival)
   */
  public static int ordinal(long packId) {
    return (int) (packId >>> SHIFT) & 3;
  }

  /**
   * Returns the bits to add to a sequence number to make a pack id of a tier.
   *
   * @param tier the tier
   * @return the id base
   */
  public static long base(Tier tier) {
    return (long) tier.ordinal() << SHIFT;
  }
}
