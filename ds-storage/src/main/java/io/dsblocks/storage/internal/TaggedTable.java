package io.dsblocks.storage.internal;

import java.util.Arrays;

/**
 * A hash table of {@code long} slots reused across calls on one thread without clearing: each call
 * takes a new generation and tags the slots it writes with it ({@code generation << 32 | value}),
 * so a slot written by an earlier call reads as empty. The table is cleared only when the 32-bit
 * generation wraps. Used by the delta encoder, whose inputs are small chunks: clearing its table
 * per chunk cost more than matching. Not thread-safe (one per thread).
 */
public final class TaggedTable {
  /** The slots; a slot belongs to the current call iff its high 32 bits are its generation. */
  public final long[] slots;

  private long generation;

  /**
   * Creates an empty table.
   *
   * @param size number of slots
   */
  public TaggedTable(int size) {
    this.slots = new long[size];
  }

  /**
   * Starts a call.
   *
   * @return the call's generation, in {@code [1, 2^32)}
   */
  public long next() {
    generation = (generation + 1) & 0xFFFF_FFFFL;
    if (generation == 0) {
      Arrays.fill(slots, 0L);
      generation = 1;
    }
    return generation;
  }
}
