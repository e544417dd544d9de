package io.dsblocks.storage.internal;

/** Sees the steps of a repack, so tests can stop a cycle where a crash would. */
interface GcHook {
  /** Does nothing. */
  GcHook NONE = new GcHook() {};

  /**
   * Marking finished; chunk-list pages are about to be swept. A writer that starts now must not
   * lose the pages it writes.
   */
  default void afterMark() {}

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
