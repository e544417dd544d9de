package io.dsblocks.storage.block;

import io.dsblocks.storage.KeyProvider;
import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.ObjectStores;
import io.dsblocks.storage.StorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Real object stores for the block and file tests, opened through the public API only. A trivial
 * key provider replaces scrypt so that creating a repository costs milliseconds.
 */
public final class TestObjectStores {
  private TestObjectStores() {}

  /** XOR "wrapping": not secure, but cheap and reversible, which is all the tests need. */
  private static final KeyProvider KEYS =
      new KeyProvider() {
        @Override
        public String keyId() {
          return "test-xor";
        }

        @Override
        public byte[] wrap(byte[] plaintextKey) {
          byte[] out = plaintextKey.clone();
          for (int i = 0; i < out.length; i++) {
            out[i] ^= 0x5a;
          }
          return out;
        }

        @Override
        public byte[] unwrap(byte[] wrappedKey) {
          return wrap(wrappedKey);
        }
      };

  /**
   * Returns the test configuration: default chunking, two ingest threads, small filter.
   *
   * @return the config
   */
  public static StorageConfig config() {
    return StorageConfig.builder()
        .ingestThreads(2)
        .expectedChunks(1 << 16)
        .packTargetSize(8 << 20)
        .build();
  }

  /**
   * Creates a repository.
   *
   * @param dir an empty directory
   * @return the store
   */
  public static ObjectStore create(Path dir) {
    return ObjectStores.create(dir, KEYS, config());
  }

  /**
   * Opens a repository.
   *
   * @param dir the repository directory
   * @return the store
   */
  public static ObjectStore open(Path dir) {
    return ObjectStores.open(dir, KEYS, config());
  }

  /**
   * Deletes a directory tree.
   *
   * @param dir the directory
   */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
