package io.dsblocks.storage.internal;

import io.dsblocks.storage.internal.crypto.ChunkHasher;
import io.dsblocks.storage.internal.crypto.ChunkSealer;

/**
 * The keyed pieces a repository needs once its key file is unlocked: the chunk-id hasher, the
 * sealer for chunks, trailers and catalog rows, and the seed of the chunker's gear table. Produced
 * by a {@link SecretsLoader}, normally from the repository's key file.
 */
public interface RepositorySecrets {

  /**
   * Returns the keyed chunk-id hasher.
   *
   * @return the hasher
   */
  ChunkHasher hasher();

  /**
   * Returns the authenticated-encryption sealer.
   *
   * @return the sealer
   */
  ChunkSealer sealer();

  /**
   * Returns the 32-byte per-repository seed of the FastCDC gear table.
   *
   * @return the seed
   */
  byte[] gearSeed();
}
