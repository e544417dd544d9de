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

  private static byte[] name(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
