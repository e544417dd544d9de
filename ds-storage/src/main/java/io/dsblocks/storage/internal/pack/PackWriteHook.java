package io.dsblocks.storage.internal.pack;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Sees every write to a pack file before it happens, and may cut it short. It exists so tests can
 * simulate a full disk, including a write that gets only part of its bytes out, without a
 * size-limited file system.
 */
@FunctionalInterface
public interface PackWriteHook {

  /** Lets every write through. */
  PackWriteHook NONE = (file, position, length) -> length;

  /**
   * Called before writing {@code length} bytes at {@code position} of {@code file}.
   *
   * @param file the pack file
   * @param position where the write starts
   * @param length how many bytes it wants to write
   * @return how many of them may be written; if fewer than {@code length}, the writer writes that
   *     prefix and then fails as if the device were full
   * @throws IOException to fail the write before any byte is written
   */
  int allow(Path file, long position, int length) throws IOException;
}
