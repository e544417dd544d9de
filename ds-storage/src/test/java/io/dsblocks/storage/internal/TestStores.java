package io.dsblocks.storage.internal;

import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.internal.crypto.RepositoryKeys;
import io.dsblocks.storage.internal.pack.PackWriteHook;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;

/** Shared helpers: stores with the real key file (cheap scrypt), small chunks and packs. */
public final class TestStores {
  private TestStores() {}

  /** The passphrase every test repository uses. */
  public static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

  /** Scrypt that costs microseconds, so tests can create many repositories. */
  public static final RepositoryKeys.ScryptCost CHEAP = new RepositoryKeys.ScryptCost(4, 8, 1);

  /**
   * Returns options using the real key file with cheap scrypt.
   *
   * @param hook pack write hook
   * @return options
   */
  public static StoreOptions options(PackWriteHook hook) {
    return KeyFileSecrets.options(
            (keyFile, create) ->
                KeyFileSecrets.adapt(
                    create
                        ? RepositoryKeys.create(keyFile, PASSPHRASE, CHEAP)
                        : RepositoryKeys.open(keyFile, PASSPHRASE)))
        .withWriteHook(hook);
  }

  /**
   * Returns a config with small chunks (256 B / 1 KiB / 4 KiB) and 64 KiB packs, so that small test
   * data spans many chunks and packs.
   *
   * @return a builder to adjust further
   */
  public static StorageConfig.Builder small() {
    return StorageConfig.builder()
        .contentDefinedChunking(256, 1024, 4096)
        .packTargetSize(64 << 10)
        .ingestThreads(2)
        .expectedChunks(1 << 14);
  }

  /**
   * Creates a repository.
   *
   * @param dir directory
   * @param config config
   * @return store
   */
  public static DefaultObjectStore create(Path dir, StorageConfig config) {
    return DefaultObjectStore.open(dir, config, true, options(PackWriteHook.NONE));
  }

  /**
   * Opens a repository.
   *
   * @param dir directory
   * @param config config
   * @return store
   */
  public static DefaultObjectStore open(Path dir, StorageConfig config) {
    return DefaultObjectStore.open(dir, config, false, options(PackWriteHook.NONE));
  }

  /**
   * Returns where the newest version of an object keeps its chunks.
   *
   * @param store the store
   * @param key the key
   * @return one location per chunk reference
   */
  public static java.util.List<io.dsblocks.storage.internal.index.ChunkLocation> locations(
      DefaultObjectStore store, String key) {
    java.util.List<io.dsblocks.storage.internal.index.ChunkLocation> out =
        new java.util.ArrayList<>();
    io.dsblocks.storage.internal.index.VersionRecord rec = store.catalog.latest(key);
    io.dsblocks.storage.internal.index.ChunkListReader r =
        new io.dsblocks.storage.internal.index.ChunkListReader(store.catalog, rec.chunks());
    while (r.hasNext()) {
      r.next();
      out.add(store.index.locate(r.id()));
    }
    return out;
  }

  /**
   * Copies a directory tree.
   *
   * @param from source
   * @param to target (created)
   */
  public static void copyTree(Path from, Path to) {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          java.nio.file.Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Occupies the executor's thread (all of them, for a single-thread executor) until {@code
   * release} opens: what is submitted next queues up behind it.
   *
   * @param executor the executor
   * @param release opened to let it go
   */
  public static void occupy(ExecutorService executor, CountDownLatch release) {
    executor.submit(
        () -> {
          release.await();
          return null;
        });
  }

  /**
   * Returns seeded random bytes.
   *
   * @param random source
   * @param n length
   * @return bytes
   */
  public static byte[] random(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /**
   * Returns compressible text-like bytes.
   *
   * @param random source
   * @param n length
   * @return bytes
   */
  public static byte[] text(Random random, int n) {
    String[] words = {
      "storage", "chunk", "pack", "index", "dedup", "the", "of", "and", "repository", "object",
      "version", "\n", "public", "final", "class", "return", "byte", "int", "long", "void"
    };
    StringBuilder sb = new StringBuilder(n + 16);
    while (sb.length() < n) {
      sb.append(words[random.nextInt(words.length)]).append(' ');
    }
    return sb.substring(0, n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Reads a stream fully and closes it.
   *
   * @param in stream
   * @return bytes
   */
  public static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the SHA-256 of bytes in hex.
   *
   * @param b bytes
   * @return hex digest
   */
  public static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
