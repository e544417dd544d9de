package io.dsblocks.storage;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.util.List;

/**
 * A place where copies of pack files live: a disk, a directory, or (later) a remote server. The
 * store keeps its primary copy of every pack in the repository's own {@code packs/} directory and
 * places the other {@code R - 1} copies on storage nodes chosen by rendezvous hashing of the pack
 * name over the node ids (see {@link StorageConfig.Builder#replicas}).
 *
 * <p>A node stores whole, immutable files under flat names such as {@code 000000000000002a.pack}.
 * {@link #write} must be atomic and durable on return: a reader sees either no file or the whole
 * file, never a prefix, and a power loss after {@code write} returns does not lose it.
 *
 * <p>Implementations must be thread-safe: the store's background copier, readers falling back to a
 * replica, scrub and garbage collection call a node concurrently (never for the same name at once
 * with a write and a delete, though).
 */
public interface StorageNode {

  /**
   * Returns this node's stable id. Placement is a function of the ids, so an id must never change
   * for the same storage, and ids must be unique among a store's nodes.
   *
   * @return the id, not empty
   */
  String id();

  /**
   * Stores a whole file, replacing any file of that name, atomically and durably (for a directory:
   * write a temporary file, fsync it, rename it over the name, fsync the directory).
   *
   * @param name the file name
   * @param source where the bytes come from; exactly {@code length} bytes are read from it
   * @param length how many bytes
   * @throws IOException if the file cannot be stored; nothing under {@code name} changed then
   */
  void write(String name, ReadableByteChannel source, long length) throws IOException;

  /**
   * Reads bytes of a file.
   *
   * @param name the file name
   * @param offset where to start
   * @param length how many bytes
   * @return exactly {@code length} bytes
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws java.io.EOFException if the file ends before {@code offset + length}
   * @throws IOException if reading fails
   */
  byte[] read(String name, long offset, int length) throws IOException;

  /**
   * Returns whether a file exists.
   *
   * @param name the file name
   * @return true if it exists
   * @throws IOException if the node cannot be asked
   */
  boolean exists(String name) throws IOException;

  /**
   * Returns the size of a file.
   *
   * @param name the file name
   * @return its size in bytes
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws IOException if the node cannot be asked
   */
  long size(String name) throws IOException;

  /**
   * Deletes a file, durably.
   *
   * @param name the file name
   * @return true if it existed
   * @throws IOException if it cannot be deleted
   */
  boolean delete(String name) throws IOException;

  /**
   * Lists the names of the complete files this node holds (never temporary files of a write in
   * progress).
   *
   * @return names, in no particular order
   * @throws IOException if the node cannot be listed
   */
  List<String> list() throws IOException;
}
