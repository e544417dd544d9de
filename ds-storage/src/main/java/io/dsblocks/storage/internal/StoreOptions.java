package io.dsblocks.storage.internal;

import io.dsblocks.storage.Compression;
import io.dsblocks.storage.internal.compress.ChunkCompressor;
import io.dsblocks.storage.internal.pack.PackWriteHook;
import java.util.Objects;
import java.util.function.Function;

/**
 * The pluggable pieces of a store that are not user configuration: where keys come from, which
 * compressor implements a {@link Compression} setting, and the pack write hook (tests).
 *
 * @param secrets creates or unlocks the key file
 * @param compressors maps a compression setting to an implementation
 * @param writeHook sees every pack write
 */
public record StoreOptions(
    SecretsLoader secrets,
    Function<Compression, ChunkCompressor> compressors,
    PackWriteHook writeHook) {

  /**
   * Checks for nulls.
   *
   * @throws NullPointerException if an argument is null
   */
  public StoreOptions {
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(compressors, "compressors");
    Objects.requireNonNull(writeHook, "writeHook");
  }

  /**
   * Returns a copy with another write hook.
   *
   * @param hook the hook
   * @return new options
   */
  public StoreOptions withWriteHook(PackWriteHook hook) {
    return new StoreOptions(secrets, compressors, hook);
  }
}
