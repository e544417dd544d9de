package io.dsblocks.storage.internal.index;

import java.nio.charset.StandardCharsets;

/** Names of the persistent counters in the {@code counters} column family. */
public final class Counters {
  private Counters() {}

  /** Object versions committed, delete markers included. */
  public static final byte[] VERSIONS = name("versions");

  /** Total size of committed versions. */
  public static final byte[] LOGICAL_BYTES = name("logical_bytes");

  /** Raw size of distinct chunks stored. */
  public static final byte[] UNIQUE_BYTES = name("unique_bytes");

  /** Record bytes of distinct chunks stored. */
  public static final byte[] STORED_BYTES = name("stored_bytes");

  /** Distinct chunks stored. */
  public static final byte[] CHUNKS = name("chunks");

  /** Chunk references satisfied by an existing chunk. */
  public static final byte[] DEDUPED_CHUNKS = name("deduped_chunks");

  /** Pack-file bytes freed by garbage collection (deleted packs minus bytes copied out of them). */
  public static final byte[] RECLAIMED_BYTES = name("reclaimed_bytes");

  /** Per-tier counter kinds: what {@link #tier} names. */
  public enum TierCounter {
    /** Size of the object versions assigned to the tier. */
    LOGICAL_BYTES,
    /** Raw size of the distinct chunks in the tier. */
    UNIQUE_BYTES,
    /** Record bytes of the distinct chunks in the tier. */
    STORED_BYTES,
    /** Distinct chunks in the tier. */
    CHUNKS
  }

  private static final byte[][][] TIER_NAMES = new byte[3][TierCounter.values().length][];

  static {
    for (io.dsblocks.storage.Tier t : io.dsblocks.storage.Tier.values()) {
      for (TierCounter c : TierCounter.values()) {
        TIER_NAMES[t.ordinal()][c.ordinal()] =
            name("tier." + t.name().toLowerCase(java.util.Locale.ROOT) + "." + c.name());
      }
    }
  }

  /**
   * Returns the name of a per-tier counter. Only colder tiers' counters are written; the hot tier's
   * values are the totals minus the others, so the put path (which writes only hot chunks) keeps
   * updating the totals alone.
   *
   * @param tier the tier
   * @param counter the counter
   * @return the counter's name
   */
  public static byte[] tier(io.dsblocks.storage.Tier tier, TierCounter counter) {
    return TIER_NAMES[tier.ordinal()][counter.ordinal()];
  }

  private static byte[] name(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
