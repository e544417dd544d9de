package io.dsblocks.storage.internal;

import io.dsblocks.storage.Compression;
import io.dsblocks.storage.KeyProvider;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.compress.Compressors;
import io.dsblocks.storage.internal.crypto.ChunkHasher;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.crypto.RepositoryKeys;
import io.dsblocks.storage.internal.pack.PackWriteHook;
import java.util.Objects;

/**
 * Production {@link StoreOptions}: secrets from the repository's key file via {@link
 * RepositoryKeys}.
 */
public final class KeyFileSecrets {
  private KeyFileSecrets() {}

  /**
   * Options whose key file is protected by a passphrase.
   *
   * @param passphrase the passphrase (copied, so the caller may wipe its array afterwards)
   * @return options
   */
  public static StoreOptions passphrase(char[] passphrase) {
    Objects.requireNonNull(passphrase, "passphrase");
    char[] copy = passphrase.clone();
    return options(
        (keyFile, create) ->
            adapt(
                create
                    ? RepositoryKeys.create(keyFile, copy)
                    : RepositoryKeys.open(keyFile, copy)));
  }

  /**
   * Options whose key file is protected by a key provider.
   *
   * @param provider the provider
   * @return options
   */
  public static StoreOptions provider(KeyProvider provider) {
    Objects.requireNonNull(provider, "keyProvider");
    return options(
        (keyFile, create) ->
            adapt(
                create
                    ? RepositoryKeys.create(keyFile, provider)
                    : RepositoryKeys.open(keyFile, provider)));
  }

  /**
   * Options with any secrets loader and the standard compressors.
   *
   * @param loader the loader
   * @return options
   */
  public static StoreOptions options(SecretsLoader loader) {
    return new StoreOptions(loader, KeyFileSecrets::compressor, PackWriteHook.NONE);
  }

  /**
   * Adapts unlocked repository keys.
   *
   * @param keys the keys
   * @return the secrets the store uses
   */
  public static RepositorySecrets adapt(RepositoryKeys keys) {
    return new RepositorySecrets() {
      @Override
      public ChunkHasher hasher() {
        return keys.hasher();
      }

      @Override
      public ChunkSealer sealer() {
        return keys.sealer();
      }

      @Override
      public byte[] gearSeed() {
        return keys.gearSeed();
      }
    };
  }

  /**
   * Maps a compression setting to its implementation.
   *
   * @param compression the setting
   * @return the compressor
   */
  public static ChunkCompressor compressor(Compression compression) {
    switch (compression.codec()) {
      case NONE:
        return Compressors.none();
      case LZ4:
        return Compressors.lz4();
      case ZSTD:
        return Compressors.zstd(compression.level());
      default:
        throw new IllegalArgumentException("unknown codec " + compression.codec());
    }
  }
}
