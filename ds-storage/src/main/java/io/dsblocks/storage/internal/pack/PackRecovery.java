package io.dsblocks.storage.internal.pack;

import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageListener;
import io.dsblocks.storage.internal.crypto.ChunkSealer;
import io.dsblocks.storage.internal.index.DedupIndex;
import io.dsblocks.storage.internal.index.IndexedChunk;
import io.dsblocks.storage.internal.index.RepositoryDb;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Open-time recovery of pack files, so that the packs agree with the committed index.
 *
 * <p>The committed state is what the index says: the {@code pack_entries} rows, written in the same
 * atomic batch as the catalog rows that reference them, and only after the records were fsynced. So
 * for each pack:
 *
 * <ul>
 *   <li>no committed entries: nothing in it is referenced (a crash before its first commit, or puts
 *       that failed), so the file is removed, sealed or not;
 *   <li>recorded as sealed and still at its sealed length: nothing to do;
 *   <li>shorter than its last committed record: committed data was lost outside the store's control
 *       (truncation by someone else, a failing disk). The pack is reported damaged and left
 *       untouched, so that nothing more is destroyed and a replica can repair it;
 *   <li>otherwise (left unsealed by a crash, or its trailer torn): the bytes after the last
 *       committed record (uncommitted appends, a torn record, a torn trailer) are cut off and a new
 *       trailer listing the committed records is written and fsynced, so the pack is
 *       self-describing again.
 * </ul>
 *
 * <p>Records of failed puts that lie between committed ones stay in the file unreferenced until
 * garbage collection repacks it. Recovery never appends to an old pack afterwards: the writer
 * always starts a new one.
 */
public final class PackRecovery {
  private PackRecovery() {}

  /**
   * What recovery found.
   *
   * @param packs pack files present after recovery
   * @param packBytes their total size
   * @param recovered packs repaired or removed
   * @param damaged file names and reasons of packs left damaged
   */
  public record Result(long packs, long packBytes, int recovered, Map<String, String> damaged) {}

  /**
   * Recovers every pack in a directory.
   *
   * @param dir the packs directory
   * @param db the database
   * @param index the dedup index (for committed entries)
   * @param reader evicted for packs that are rewritten
   * @param sealer seals new trailers
   * @param hook write hook
   * @param listener receives recovery and damage events
   * @return what was found
   */
  public static Result recover(
      Path dir,
      RepositoryDb db,
      DedupIndex index,
      PackReader reader,
      ChunkSealer sealer,
      PackWriteHook hook,
      StorageListener listener) {
    return recover(List.of(dir), db, index, reader, sealer, hook, listener);
  }

  /**
   * Recovers every pack in several directories (one per tier); a pack the index references is
   * reported missing only if no directory has it.
   *
   * @param dirs the packs directories
   * @param db the database
   * @param index the dedup index (for committed entries)
   * @param reader evicted for packs that are rewritten
   * @param sealer seals new trailers
   * @param hook write hook
   * @param listener receives recovery and damage events
   * @return what was found
   */
  public static Result recover(
      List<Path> dirs,
      RepositoryDb db,
      DedupIndex index,
      PackReader reader,
      ChunkSealer sealer,
      PackWriteHook hook,
      StorageListener listener) {
    TreeMap<Long, Path> files = new TreeMap<>();
    for (Path dir : dirs) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
        for (Path p : stream) {
          long id = PackFormat.parseFileName(p.getFileName().toString());
          if (id >= 0) {
            files.put(id, p);
          }
        }
      } catch (IOException e) {
        throw new StorageException("cannot list packs in " + dir + ": " + e.getMessage(), e);
      }
    }
    // One seek per pack: which packs does the committed index reference at all?
    java.util.Set<Long> referenced = new java.util.HashSet<>(index.packsWithEntries());
    long packs = 0;
    long bytes = 0;
    int recovered = 0;
    Map<String, String> damaged = new TreeMap<>();
    boolean removedAny = false;
    for (Map.Entry<Long, Path> f : files.entrySet()) {
      long id = f.getKey();
      Path path = f.getValue();
      String name = path.getFileName().toString();
      long size;
      try {
        size = Files.size(path);
      } catch (IOException e) {
        throw new StorageException("cannot stat " + path + ": " + e.getMessage(), e);
      }
      if (!referenced.contains(id)) {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new StorageException("cannot remove uncommitted pack " + path, e);
        }
        PackState.forget(db, id);
        removedAny = true;
        recovered++;
        notifyRecovered(listener, name, 0, size);
        continue;
      }
      if (PackState.sealedLength(db, id) == size) {
        packs++;
        bytes += size;
        continue;
      }
      List<IndexedChunk> entries = index.packEntries(id);
      long committedEnd = entries.get(entries.size() - 1).location().end();
      String problem = null;
      if (size < committedEnd) {
        problem =
            "truncated: file has " + size + " bytes but committed records reach " + committedEnd;
      } else {
        problem = PackFormat.checkHeader(reader.read(id, 0, PackFormat.HEADER_LENGTH), id);
      }
      if (problem != null) {
        damaged.put(name, problem);
        notifyDamaged(listener, name, problem);
        packs++;
        bytes += size;
        continue;
      }
      reader.evict(id);
      long newSize = seal(path, id, entries, committedEnd, sealer, hook, db);
      recovered++;
      packs++;
      bytes += newSize;
      if (newSize > 0) {
        notifyRecovered(listener, name, newSize, Math.max(0, size - committedEnd));
      }
    }
    if (removedAny) {
      for (Path dir : dirs) {
        PackFiles.syncDirectory(dir);
      }
    }
    for (long id : referenced) {
      if (!files.containsKey(id)) {
        String name = PackFormat.fileName(id);
        damaged.put(name, "pack file is missing");
        notifyDamaged(listener, name, "pack file is missing");
      }
    }
    return new Result(packs, bytes, recovered, damaged);
  }

  /** Truncates to the committed end and writes a trailer; returns the new size (0 if deferred). */
  private static long seal(
      Path path,
      long id,
      List<IndexedChunk> entries,
      long committedEnd,
      ChunkSealer sealer,
      PackWriteHook hook,
      RepositoryDb db) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
      ch.truncate(committedEnd);
      byte[] trailer = PackFormat.trailer(id, entries, sealer);
      PackFiles.write(ch, path, hook, committedEnd, ByteBuffer.wrap(trailer));
      ch.force(true);
      long length = committedEnd + trailer.length;
      PackState.markSealed(db, id, length);
      return length;
    } catch (IOException e) {
      // Typically a full disk. The committed records are intact and readable; the pack simply
      // stays unsealed and the next open tries again.
      try {
        return Files.size(path);
      } catch (IOException ignored) {
        return 0;
      }
    }
  }

  private static void notifyRecovered(StorageListener l, String name, long kept, long dropped) {
    try {
      l.onPackRecovered(name, kept, dropped);
    } catch (RuntimeException ignored) {
      // Listener errors must not break recovery.
    }
  }

  static void notifyDamaged(StorageListener l, String name, String reason) {
    try {
      l.onPackDamaged(name, reason);
    } catch (RuntimeException ignored) {
      // Listener errors must not break recovery.
    }
  }

  /**
   * Lists pack ids present in a directory.
   *
   * @param dir the packs directory
   * @return ids in increasing order
   */
  public static List<Long> listPacks(Path dir) {
    List<Long> ids = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        long id = PackFormat.parseFileName(p.getFileName().toString());
        if (id >= 0) {
          ids.add(id);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot list packs in " + dir + ": " + e.getMessage(), e);
    }
    ids.sort(null);
    return ids;
  }
}
