package io.dsblocks.storage.internal;

import java.nio.file.Path;

/**
 * Creates or unlocks a repository's key file. Called while the repository lock is held, before
 * anything else of the repository is opened, so a wrong passphrase opens nothing.
 */
@FunctionalInterface
public interface SecretsLoader {

  /**
   * Creates or unlocks the key file.
   *
   * @param keyFile the repository's key file
   * @param create true to create a new key file (the path does not exist), false to unlock one
   * @return the unlocked secrets
   */
  RepositorySecrets load(Path keyFile, boolean create);
}
