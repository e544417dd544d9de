package io.dsblocks.storage.internal.pack;

import io.dsblocks.storage.StorageCorruptionException;
import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.index.ChunkLocation;
import io.dsblocks.storage.internal.index.IndexedChunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads records and trailers from pack files through a small cache of read-only channels, and turns
 * short reads and missing files into {@link StorageCorruptionException}s naming the pack.
 *
 * <p>Thread-safe. Positional reads let many threads share one channel. When the cache is full it is
 * emptied wholesale; a reader whose channel was closed by that (or by another thread's interrupt)
 * simply reopens it.
 */
public final class PackReader {
  private static final int MAX_OPEN = 256;

  private final Path[] dirs;
  private final ConcurrentHashMap<Long, FileChannel> channels = new ConcurrentHashMap<>();

  /**
   * Creates a reader.
   *
   * @param dir the packs directory
   */
  public PackReader(Path dir) {
    this(new Path[] {dir});
  }

  /**
   * Creates a reader over several tiers' directories: a pack is looked for in the directory of its
   * tier ({@link PackTiers}).
   *
   * @param dirsByTier pack directories indexed by tier ordinal (hot first)
   */
  public PackReader(Path[] dirsByTier) {
    this.dirs = dirsByTier.clone();
  }

  /**
   * Returns the path of a pack.
   *
   * @param packId the pack
   * @return its file
   */
  public Path path(long packId) {
    int tier = PackTiers.ordinal(packId);
    return dirs[tier < dirs.length ? tier : 0].resolve(PackFormat.fileName(packId));
  }

  /**
   * Reads a record's bytes (header and sealed chunk) and checks its header and checksum.
   *
   * @param location where it is
   * @param expectedId the chunk id the index says is there
   * @return the whole record
   * @throws StorageCorruptionException if the pack is missing or truncated, or the record fails its
   *     checks; the message names the pack and offset
   */
  public byte[] readRecord(ChunkLocation location, byte[] expectedId) {
    byte[] record = read(location.packId(), location.offset(), location.length());
    String problem = PackFormat.checkRecord(record, expectedId, location.rawLength());
    if (problem != null) {
      throw new StorageCorruptionException(
          PackFormat.fileName(location.packId()) + " offset " + location.offset() + ": " + problem);
    }
    return record;
  }

  /**
   * Reads and opens a pack's trailer.
   *
   * @param packId the pack
   * @param sealer opens the trailer
   * @return the entries it lists
   * @throws StorageCorruptionException if the pack has no valid trailer or header
   */
  public List<IndexedChunk> readTrailer(long packId, ChunkSealer sealer) {
    String name = PackFormat.fileName(packId);
    long size = size(packId);
    if (size < PackFormat.HEADER_LENGTH + PackFormat.FOOTER_LENGTH) {
      throw new StorageCorruptionException(name + ": too short (" + size + " bytes) for a trailer");
    }
    String headerProblem =
        PackFormat.checkHeader(read(packId, 0, PackFormat.HEADER_LENGTH), packId);
    if (headerProblem != null) {
      throw new StorageCorruptionException(name + ": " + headerProblem);
    }
    byte[] footer = read(packId, size - PackFormat.FOOTER_LENGTH, PackFormat.FOOTER_LENGTH);
    int length = PackFormat.trailerLength(footer);
    if (length < 0 || length > size - PackFormat.HEADER_LENGTH - PackFormat.FOOTER_LENGTH) {
      throw new StorageCorruptionException(name + ": no valid trailer footer");
    }
    byte[] sealed = read(packId, size - PackFormat.FOOTER_LENGTH - length, length);
    return PackFormat.openTrailer(packId, sealed, footer, sealer);
  }

  /**
   * Returns a pack's current size.
   *
   * @param packId the pack
   * @return bytes
   * @throws StorageCorruptionException if the file is missing
   */
  public long size(long packId) {
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = channel(packId);
      try {
        return ch.size();
      } catch (ClosedByInterruptException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while reading " + path(packId), e);
      } catch (ClosedChannelException e) {
        channels.remove(packId, ch);
        if (attempt >= 3) {
          throw new StorageException("cannot read " + path(packId) + ": channel keeps closing", e);
        }
      } catch (IOException e) {
        throw new StorageException("cannot read " + path(packId) + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Reads bytes from a pack.
   *
   * @param packId the pack
   * @param offset where
   * @param length how many
   * @return the bytes
   * @throws StorageCorruptionException if the file is missing or ends first
   */
  public byte[] read(long packId, long offset, int length) {
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = channel(packId);
      ByteBuffer buf = ByteBuffer.allocate(length);
      try {
        long pos = offset;
        while (buf.hasRemaining()) {
          int n = ch.read(buf, pos);
          if (n < 0) {
            throw new StorageCorruptionException(
                PackFormat.fileName(packId)
                    + " offset "
                    + offset
                    + ": truncated (file ends at "
                    + ch.size()
                    + ", record needs "
                    + (offset + length)
                    + ")");
          }
          pos += n;
        }
        return buf.array();
      } catch (ClosedByInterruptException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while reading " + path(packId), e);
      } catch (ClosedChannelException e) {
        channels.remove(packId, ch);
        if (attempt >= 3) {
          throw new StorageException("cannot read " + path(packId) + ": channel keeps closing", e);
        }
      } catch (IOException e) {
        throw new StorageException("cannot read " + path(packId) + ": " + e.getMessage(), e);
      }
    }
  }

  private FileChannel channel(long packId) {
    FileChannel ch = channels.get(packId);
    if (ch != null && ch.isOpen()) {
      return ch;
    }
    if (channels.size() >= MAX_OPEN) {
      closeAll();
    }
    try {
      FileChannel opened = FileChannel.open(path(packId), StandardOpenOption.READ);
      FileChannel raced = channels.putIfAbsent(packId, opened);
      if (raced != null && raced.isOpen()) {
        opened.close();
        return raced;
      }
      if (raced != null) {
        channels.replace(packId, raced, opened);
      }
      return opened;
    } catch (NoSuchFileException e) {
      throw new StorageCorruptionException(PackFormat.fileName(packId) + ": pack file is missing");
    } catch (IOException e) {
      throw new StorageException("cannot open " + path(packId) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Forgets a pack's cached channel (after the file was replaced or removed).
   *
   * @param packId the pack
   */
  public void evict(long packId) {
    FileChannel ch = channels.remove(packId);
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // Read-only channel: nothing is lost.
      }
    }
  }

  /** Closes every cached channel. */
  public void closeAll() {
    for (Long id : List.copyOf(channels.keySet())) {
      evict(id);
    }
  }
}
