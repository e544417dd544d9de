package io.dsblocks.storage.fs;

/** What a path names in a {@link FileStore}. Immutable and thread-safe. */
public enum FileType {
  /** A regular file: a byte sequence. */
  FILE,
  /** A directory: a set of named entries. */
  DIRECTORY
}
