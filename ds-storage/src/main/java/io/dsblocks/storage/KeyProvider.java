package io.dsblocks.storage;

/**
 * Wraps and unwraps a repository's key-encryption key with a key the application controls, for
 * example a key held in a KMS or an HSM, instead of a passphrase.
 *
 * <p>ds-storage generates a random 32-byte key-encryption key when a repository is created, asks
 * the provider to {@link #wrap wrap} it, and stores only the wrapped form in the repository's key
 * file. When the repository is opened it asks the provider to {@link #unwrap unwrap} it again. The
 * plaintext key-encryption key never leaves the process; the provider never sees chunk data.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@code unwrap(wrap(k))} returns {@code k} for as long as the repository should stay
 *       readable; wrapping should be authenticated (a KMS's encrypt/decrypt, AES-KW or AES-GCM), so
 *       that unwrapping with the wrong key fails instead of returning other bytes. If it does
 *       return other bytes, opening still fails: the key file is authenticated too.
 *   <li>{@link #unwrap} signals a wrong key or a refused request by throwing any {@link
 *       RuntimeException}; opening then fails with {@link WrongPassphraseException} carrying that
 *       exception as its cause.
 *   <li>Implementations must not keep the plaintext key they are given after returning.
 * </ul>
 *
 * <p>Thread-safety: implementations must be safe to call from any thread; ds-storage calls them
 * only while creating or opening a repository or changing its key, never on the data path.
 */
public interface KeyProvider {

  /**
   * Names the provider key that wraps, e.g. a KMS key ARN. It is recorded in the key file and shown
   * in error messages so an operator knows which key a repository needs; it is not secret.
   *
   * @return a short, stable, non-empty identifier
   */
  String keyId();

  /**
   * Encrypts a key-encryption key.
   *
   * @param plaintextKey the 32-byte key to protect; the caller wipes it afterwards, so do not keep
   *     a reference
   * @return the wrapped form, stored verbatim in the key file (at most 64 KiB)
   */
  byte[] wrap(byte[] plaintextKey);

  /**
   * Decrypts what {@link #wrap} returned.
   *
   * @param wrappedKey bytes previously returned by {@link #wrap}
   * @return the original 32-byte key
   * @throws RuntimeException if this provider's key cannot unwrap it (wrong key, refused, revoked)
   */
  byte[] unwrap(byte[] wrappedKey);
}
