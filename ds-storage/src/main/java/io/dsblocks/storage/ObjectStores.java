package io.dsblocks.storage;

import io.dsblocks.storage.internal.DefaultObjectStore;
import io.dsblocks.storage.internal.KeyFileSecrets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Creates and opens {@link ObjectStore}s over repository directories.
 *
 * <pre>{@code
 * try (ObjectStore store = ObjectStores.create(dir, passphrase)) {
 *   store.put("photos/cat.jpg", Files.newInputStream(file), Map.of("type", "image/jpeg"));
 *   try (InputStream in = store.get("photos/cat.jpg")) {
 *     in.transferTo(out);
 *   }
 * }
 * }</pre>
 *
 * <p>A repository's master keys are random and kept in its key file, wrapped by a key derived from
 * the passphrase (scrypt) or by a {@link KeyProvider}. A wrong passphrase or provider fails with
 * {@link WrongPassphraseException} before anything else is opened. Passphrase arrays are copied, so
 * the caller may wipe theirs after the call.
 *
 * <p>Thread-safe: all methods are static and stateless.
 */
public final class ObjectStores {
  private ObjectStores() {}

  /**
   * Creates a repository with default settings.
   *
   * @param dir directory to create it in (created if missing; must not hold a repository)
   * @param passphrase protects the key file
   * @return the open store
   * @throws StorageException if a repository already exists there or it cannot be written
   */
  public static ObjectStore create(Path dir, char[] passphrase) {
    return create(dir, passphrase, StorageConfig.defaults());
  }

  /**
   * Creates a repository.
   *
   * @param dir directory to create it in (created if missing; must not hold a repository)
   * @param passphrase protects the key file
   * @param config settings; its chunking parameters are recorded in the repository for good
   * @return the open store
   * @throws StorageException if a repository already exists there or it cannot be written
   */
  public static ObjectStore create(Path dir, char[] passphrase, StorageConfig config) {
    Objects.requireNonNull(passphrase, "passphrase");
    return DefaultObjectStore.open(dir, config, true, KeyFileSecrets.passphrase(passphrase));
  }

  /**
   * Creates a repository whose key file is protected by a key provider (a KMS, an HSM).
   *
   * @param dir directory to create it in (created if missing; must not hold a repository)
   * @param keyProvider wraps the key-encryption key
   * @param config settings; its chunking parameters are recorded in the repository for good
   * @return the open store
   * @throws StorageException if a repository already exists there or it cannot be written
   */
  public static ObjectStore create(Path dir, KeyProvider keyProvider, StorageConfig config) {
    return DefaultObjectStore.open(dir, config, true, KeyFileSecrets.provider(keyProvider));
  }

  /**
   * Opens a repository with default settings.
   *
   * @param dir the repository directory
   * @param passphrase unlocks the key file
   * @return the open store
   * @throws WrongPassphraseException if the passphrase is wrong
   * @throws RepositoryLockedException if the repository is open elsewhere
   * @throws StorageException if there is no repository or it cannot be read
   */
  public static ObjectStore open(Path dir, char[] passphrase) {
    return open(dir, passphrase, StorageConfig.defaults());
  }

  /**
   * Opens a repository.
   *
   * @param dir the repository directory
   * @param passphrase unlocks the key file
   * @param config settings (chunking parameters are taken from the repository instead)
   * @return the open store
   * @throws WrongPassphraseException if the passphrase is wrong
   * @throws RepositoryLockedException if the repository is open elsewhere
   * @throws StorageException if there is no repository or it cannot be read
   */
  public static ObjectStore open(Path dir, char[] passphrase, StorageConfig config) {
    Objects.requireNonNull(passphrase, "passphrase");
    return DefaultObjectStore.open(dir, config, false, KeyFileSecrets.passphrase(passphrase));
  }

  /**
   * Opens a repository whose key file is protected by a key provider.
   *
   * @param dir the repository directory
   * @param keyProvider unwraps the key-encryption key
   * @param config settings (chunking parameters are taken from the repository instead)
   * @return the open store
   * @throws WrongPassphraseException if the provider cannot unwrap the key
   * @throws RepositoryLockedException if the repository is open elsewhere
   * @throws StorageException if there is no repository or it cannot be read
   */
  public static ObjectStore open(Path dir, KeyProvider keyProvider, StorageConfig config) {
    return DefaultObjectStore.open(dir, config, false, KeyFileSecrets.provider(keyProvider));
  }
}
