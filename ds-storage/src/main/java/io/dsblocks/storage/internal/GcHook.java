package io.dsblocks.storage.internal;

/** Sees the steps of a repack, so tests can stop a cycle where a crash would. */
interface GcHook {
  /** Does nothing. */
  GcHook NONE = new GcHook() {};

  /**
   * The live records of a pack were copied and fsynced; the index still points at the old pack.
   *
   * @param packId the old pack
   */
  default void afterCopy(long packId) {}

  /**
   * The index points at the copies; the old pack file still exists.
   *
   * @param packId the old pack
   */
  default void afterSwitch(long packId) {}
}
