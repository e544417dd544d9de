package io.dsblocks.cache;

/**
 * When the write-back journal forces appended records to the storage device.
 *
 * <p>A process crash (kill -9) loses nothing under any policy once {@code put} has returned: the
 * record is already in the operating system's page cache. The policy only matters for a machine
 * crash or power loss. Immutable and thread-safe.
 */
public enum FsyncPolicy {
  /** Force before every {@code put}/{@code delete} returns: durable, slowest (one fsync each). */
  EVERY_WRITE,
  /** Force at most every {@link WriteBackConfig#fsyncInterval()} from the writer thread. */
  INTERVAL,
  /** Never force; the operating system writes pages back when it chooses. */
  NEVER
}
