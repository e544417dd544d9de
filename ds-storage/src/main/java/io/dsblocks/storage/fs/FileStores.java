package io.dsblocks.storage.fs;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.internal.fs.DefaultFileStore;
import java.time.InstantSource;

/**
 * Creates and opens {@link FileStore}s in an {@link ObjectStore}.
 *
 * <pre>{@code
 * try (FileStore fs = FileStores.create(store, "home")) {
 *   fs.createDirectories("/docs/2024");
 *   fs.write("/docs/2024/report.pdf", in);
 *   fs.rename("/docs/2024", "/archive-2024");          // atomic, whatever the subtree's size
 *   try (InputStream r = fs.read("/archive-2024/report.pdf")) { r.transferTo(out); }
 * }
 * }</pre>
 *
 * <p>A file store lives under the object keys {@code filestore/<name>/}. Names are 1 to 128
 * characters from {@code [A-Za-z0-9._-]}, not starting with a dot. Several file stores may live in
 * one object store.
 *
 * <p>Thread-safe: all methods are static and stateless.
 */
public final class FileStores {
  private FileStores() {}

  /**
   * Creates an empty file store (just a root directory) stamping times with the system clock.
   *
   * @param store the object store
   * @param name the file store's name
   * @return the open file store
   * @throws IllegalArgumentException if the name is invalid
   * @throws FileStoreException {@code ALREADY_EXISTS} if it exists
   */
  public static FileStore create(ObjectStore store, String name) {
    return create(store, name, InstantSource.system());
  }

  /**
   * Creates an empty file store.
   *
   * @param store the object store
   * @param name the file store's name
   * @param clock stamps modification times
   * @return the open file store
   * @throws IllegalArgumentException if the name is invalid
   * @throws FileStoreException {@code ALREADY_EXISTS} if it exists
   */
  public static FileStore create(ObjectStore store, String name, InstantSource clock) {
    return DefaultFileStore.open(store, name, clock, true);
  }

  /**
   * Opens an existing file store, stamping times with the system clock.
   *
   * @param store the object store
   * @param name the file store's name
   * @return the open file store
   * @throws FileStoreException {@code NOT_FOUND} if there is none
   */
  public static FileStore open(ObjectStore store, String name) {
    return open(store, name, InstantSource.system());
  }

  /**
   * Opens an existing file store.
   *
   * @param store the object store
   * @param name the file store's name
   * @param clock stamps modification times
   * @return the open file store
   * @throws FileStoreException {@code NOT_FOUND} if there is none
   */
  public static FileStore open(ObjectStore store, String name, InstantSource clock) {
    return DefaultFileStore.open(store, name, clock, false);
  }
}
