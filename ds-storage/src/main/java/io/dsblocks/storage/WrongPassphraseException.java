package io.dsblocks.storage;

/**
 * A repository's key file could not be unlocked: the passphrase is wrong, or the {@link
 * KeyProvider} holds a different key (or refused to unwrap). The key file itself is intact (it
 * passed its checksum), so retrying with the right secret will work; nothing was opened.
 */
public class WrongPassphraseException extends StorageException {
  private static final long serialVersionUID = 1L;

  /** Kept as a string so the exception stays serializable. */
  private final String keyFile;

  /**
   * Creates an exception.
   *
   * @param keyFile the key file that could not be unlocked
   * @param message what was wrong, naming the key file
   * @param cause the provider's error, or {@code null}
   */
  public WrongPassphraseException(String keyFile, String message, Throwable cause) {
    super(message, cause);
    this.keyFile = keyFile;
  }

  /**
   * Returns the path of the key file that could not be unlocked.
   *
   * @return the key file path as given when opening
   */
  public String keyFile() {
    return keyFile;
  }
}
