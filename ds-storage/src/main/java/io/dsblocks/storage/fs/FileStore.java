package io.dsblocks.storage.fs;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * A directory tree of files stored in an {@link io.dsblocks.storage.ObjectStore}. Create or open
 * one with {@link FileStores}.
 *
 * <p><b>Paths</b> are absolute and normalised: {@code "/"} or {@code "/a/b"}; segments are
 * separated by single {@code '/'}, are not empty, {@code "."} or {@code ".."}, contain no NUL and
 * are at most 255 UTF-8 bytes; a path is at most 4096 UTF-8 bytes and has no trailing slash. Other
 * forms are rejected with an {@link IllegalArgumentException} (they are not silently rewritten).
 *
 * <p><b>Durability and atomicity.</b> Every mutating method returns after its change is durable,
 * and each is atomic: it commits in one object-store batch (a file's content together with the
 * directory entry that names it), so after a crash a path has either its old or its new state,
 * never a mix. In particular {@link #rename} of a file or of a whole directory is atomic: readers
 * see the source or the target, never both and never neither, and a crash keeps one of the two.
 *
 * <p><b>Reads</b> stream from the store; a stream sees the content the file had when it was opened,
 * even if the file is replaced or deleted meanwhile.
 *
 * <p>Thread-safe: any number of threads may call any method. Metadata changes are serialised (one
 * commit at a time); reads and content uploads run in parallel. Open a given file store in at most
 * one {@code FileStore} at a time.
 */
public interface FileStore extends AutoCloseable {

  /**
   * Returns the file store's name in its object store.
   *
   * @return the name
   */
  String name();

  /**
   * Creates a directory whose parent exists.
   *
   * @param path the new directory
   * @throws FileStoreException {@code ALREADY_EXISTS} if the path exists, {@code NOT_FOUND} or
   *     {@code NOT_A_DIRECTORY} if the parent is missing or a file
   */
  void createDirectory(String path);

  /**
   * Creates a directory and any missing parents; does nothing if it exists as a directory. All
   * missing directories are committed together.
   *
   * @param path the directory
   * @throws FileStoreException {@code NOT_A_DIRECTORY} if the path or an ancestor is a file
   */
  void createDirectories(String path);

  /**
   * Creates or replaces a file with the content of a stream, read to its end (not closed) and
   * streamed into the store without being held in memory. The new content and its directory entry
   * become visible and durable together.
   *
   * @param path the file; its parent must be a directory
   * @param data the content
   * @return the new file's description
   * @throws FileStoreException {@code IS_A_DIRECTORY} if the path is a directory, {@code NOT_FOUND}
   *     or {@code NOT_A_DIRECTORY} for a bad parent
   */
  FileInfo write(String path, InputStream data);

  /**
   * Opens a stream that creates or replaces a file when it is closed; until then nothing is
   * visible. Bytes are passed to the store as they are written (a background thread per open stream
   * ingests them), so large files need no buffering. The stream must be closed; {@code close()}
   * returns once the file is durable, and throws if the commit failed.
   *
   * @param path the file; its parent must be a directory
   * @return the stream; not thread-safe
   * @throws FileStoreException as for {@link #write}, checked now and again at close
   */
  OutputStream openOutputStream(String path);

  /**
   * Opens a file for reading.
   *
   * @param path the file
   * @return its content; close it when done
   * @throws FileStoreException {@code NOT_FOUND} or {@code IS_A_DIRECTORY}
   */
  InputStream read(String path);

  /**
   * Opens part of a file; only the stored chunks overlapping the range are read.
   *
   * @param path the file
   * @param offset first byte, in [0, size]
   * @param length bytes wanted, {@code >= 0}; cut at the end of the file
   * @return the range; close it when done
   * @throws IllegalArgumentException if {@code offset} is outside [0, size] or {@code length < 0}
   * @throws FileStoreException {@code NOT_FOUND} or {@code IS_A_DIRECTORY}
   */
  InputStream read(String path, long offset, long length);

  /**
   * Lists a directory's entries in name order (by UTF-16 code units of the name).
   *
   * @param directory the directory
   * @return its entries
   * @throws FileStoreException {@code NOT_FOUND} or {@code NOT_A_DIRECTORY}
   */
  List<FileInfo> list(String directory);

  /**
   * Describes a path.
   *
   * @param path the path
   * @return its description, or empty if it does not exist
   */
  Optional<FileInfo> stat(String path);

  /**
   * Deletes a file or an empty directory.
   *
   * @param path the path; not the root
   * @throws FileStoreException {@code NOT_FOUND}, or {@code DIRECTORY_NOT_EMPTY}
   */
  void delete(String path);

  /**
   * Deletes a file, or a directory with everything below it. The subtree disappears atomically (one
   * commit removes its entry); the objects below it are deleted afterwards.
   *
   * @param path the path; not the root
   * @throws FileStoreException {@code NOT_FOUND}
   */
  void deleteRecursively(String path);

  /**
   * Atomically moves a file or a directory (with everything below it) to a new path. If the target
   * is an existing file and the source is a file, it is replaced. The target's parent must exist.
   *
   * @param source the path to move; not the root
   * @param target the new path; not inside {@code source}
   * @throws FileStoreException {@code NOT_FOUND} if the source or the target's parent is missing,
   *     {@code ALREADY_EXISTS} if the target is a directory or the source a directory and the
   *     target exists, {@code INVALID_MOVE} if the target is inside the source
   */
  void rename(String source, String target);

  /**
   * Closes the file store. Idempotent. Does not close the object store; streams already opened stay
   * readable while the object store is open. Further calls throw {@link IllegalStateException}.
   */
  @Override
  void close();
}
