package io.dsblocks.storage;

/**
 * The requested object, or the requested version of it, does not exist or is deleted (its newest
 * version is a delete marker).
 *
 * <p>Immutable and thread-safe.
 */
public class ObjectNotFoundException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final long versionId;

  /**
   * Creates an exception.
   *
   * @param key the key that was asked for
   * @param versionId the version that was asked for, or 0 for "the newest"
   */
  public ObjectNotFoundException(String key, long versionId) {
    super(
        versionId == 0
            ? "object '" + key + "' does not exist"
            : "object '" + key + "' has no readable version " + versionId);
    this.key = key;
    this.versionId = versionId;
  }

  /**
   * Returns the key that was asked for.
   *
   * @return the key
   */
  public String key() {
    return key;
  }

  /**
   * Returns the version that was asked for.
   *
   * @return the version id, or 0 when the newest version was asked for
   */
  public long versionId() {
    return versionId;
  }
}
