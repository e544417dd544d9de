package io.dsblocks.storage.internal.crypto;

import io.dsblocks.storage.StorageCorruptionException;

/**
 * Authenticated encryption of one chunk or metadata blob. The sealed form is self-describing (it
 * names the key it was sealed under and carries its nonce), so it can be opened after key rotation.
 * Implementations are thread-safe and never repeat a nonce under one key.
 */
public interface ChunkSealer {

  /**
   * Encrypts and authenticates a range, binding {@code associatedData} (e.g. the chunk id).
   *
   * @param data plaintext buffer
   * @param offset start
   * @param length length
   * @param associatedData authenticated but not encrypted, must be given again to open
   * @return the sealed bytes
   */
  byte[] seal(byte[] data, int offset, int length, byte[] associatedData);

  /**
   * Verifies and decrypts.
   *
   * @param sealed buffer holding sealed bytes
   * @param offset start
   * @param length length
   * @param associatedData the same associated data given to {@link #seal}
   * @return the plaintext
   * @throws StorageCorruptionException if anything was changed, or the associated data differs
   */
  byte[] open(byte[] sealed, int offset, int length, byte[] associatedData);
}
