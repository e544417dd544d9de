package io.dsblocks.storage.internal;

import io.dsblocks.storage.StorageConfig;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.chunk.Chunker;
import io.dsblocks.storage.internal.chunk.FastCdcChunker;
import io.dsblocks.storage.internal.chunk.FixedChunker;
import io.dsblocks.storage.internal.pack.PackFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The {@code repository} file: format version and the chunking parameters fixed at creation. Plain
 * text (nothing in it is secret: the gear table that makes boundaries unguessable is keyed by the
 * key file). Written last when a repository is created, via a synced temporary file and an atomic
 * rename, so its presence means "creation finished".
 *
 * @param format repository format version
 * @param fixedChunkSize fixed chunk size, or 0 for content-defined chunking
 * @param minChunk content-defined minimum
 * @param avgChunk content-defined average
 * @param maxChunk content-defined maximum
 */
public record RepositoryDescriptor(
    int format, int fixedChunkSize, int minChunk, int avgChunk, int maxChunk) {

  /** Current repository format. */
  public static final int FORMAT = 1;

  /** File name inside the repository directory. */
  public static final String FILE_NAME = "repository";

  /**
   * Returns the descriptor a new repository gets from a config.
   *
   * @param config the config
   * @return the descriptor
   */
  public static RepositoryDescriptor of(StorageConfig config) {
    return new RepositoryDescriptor(
        FORMAT,
        config.fixedChunkSize(),
        config.minChunkSize(),
        config.avgChunkSize(),
        config.maxChunkSize());
  }

  /**
   * Builds the chunker this repository uses.
   *
   * @param gearSeed the repository's gear seed
   * @return the chunker
   */
  public Chunker chunker(byte[] gearSeed) {
    return fixedChunkSize > 0
        ? new FixedChunker(fixedChunkSize)
        : new FastCdcChunker(minChunk, avgChunk, maxChunk, gearSeed);
  }

  /**
   * Writes the descriptor atomically.
   *
   * @param dir the repository directory
   */
  public void write(Path dir) {
    String text =
        "# dsblocks storage repository: do not edit\n"
            + "format="
            + format
            + "\n"
            + (fixedChunkSize > 0
                ? "chunking=fixed\nchunk.size=" + fixedChunkSize + "\n"
                : "chunking=fastcdc\nchunk.min="
                    + minChunk
                    + "\nchunk.avg="
                    + avgChunk
                    + "\nchunk.max="
                    + maxChunk
                    + "\n");
    Path tmp = dir.resolve(FILE_NAME + ".tmp");
    Path target = dir.resolve(FILE_NAME);
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      PackFiles.syncDirectory(dir);
    } catch (IOException e) {
      throw new StorageException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns whether a directory holds a (fully created) repository.
   *
   * @param dir the directory
   * @return true if the descriptor exists
   */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE_NAME));
  }

  /**
   * Reads the descriptor.
   *
   * @param dir the repository directory
   * @return the descriptor
   * @throws StorageException if it is missing or malformed
   */
  public static RepositoryDescriptor read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    Properties p = new Properties();
    try (Reader r = new StringReader(Files.readString(file, StandardCharsets.UTF_8))) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new StorageException("no repository at " + dir + " (missing " + file + ")", e);
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      int format = Integer.parseInt(p.getProperty("format"));
      if (format != FORMAT) {
        throw new StorageException(
            file
                + ": unsupported repository format "
                + format
                + " (this version reads "
                + FORMAT
                + ")");
      }
      if ("fixed".equals(p.getProperty("chunking"))) {
        return new RepositoryDescriptor(
            format, Integer.parseInt(p.getProperty("chunk.size")), 0, 0, 0);
      }
      return new RepositoryDescriptor(
          format,
          0,
          Integer.parseInt(p.getProperty("chunk.min")),
          Integer.parseInt(p.getProperty("chunk.avg")),
          Integer.parseInt(p.getProperty("chunk.max")));
    } catch (NumberFormatException | NullPointerException e) {
      throw new StorageException(file + " is malformed: " + e.getMessage(), e);
    }
  }
}
