package io.dsblocks.cache.internal.tier;

import io.dsblocks.cache.CacheTierException;
import io.dsblocks.cache.tier.ChronicleMapTier.OpenOutcome;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.InaccessibleObjectException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * The persistent side of the L2 tier: a Chronicle Map file plus a small metadata file next to it
 * ({@code <file>.tier}) that this class holds an exclusive lock on while the tier is open.
 *
 * <p>Why the metadata file exists:
 *
 * <ul>
 *   <li><b>One owner.</b> The lock makes a second open of the same file (in this or another
 *       process) fail clearly. That matters because the open path below may recover, clear or
 *       recreate the map file, which would corrupt it under a process still using it.
 *   <li><b>Resizing.</b> Chronicle Map takes its geometry (entries, average sizes, bloat factor)
 *       from an existing file and silently ignores the builder's. The metadata records the sizing
 *       the file was created with; when the configured sizing differs, the file is recreated with
 *       the new one, so raising {@code entries} and restarting is the whole resize path. (A tier is
 *       a cache: dropping its content costs loads, not data.)
 *   <li><b>Crashes.</b> It says {@code state=open} while the tier is open and {@code state=closed}
 *       after a clean close. Finding {@code open} on start means the previous owner died without
 *       closing (kill -9, power loss): it may have died holding a segment lock inside the file, so
 *       the map is opened with Chronicle's recovery, which resets locks and drops corrupt entries.
 *       If recovery fails, the file is recreated empty.
 * </ul>
 *
 * <p>A map file without metadata was not created by this tier (or its metadata was deleted):
 * opening it is refused rather than deleting a file that may belong to someone else.
 *
 * <p>Not thread-safe: used by one tier's build and close.
 */
public final class TierFile implements AutoCloseable {
  private static final String FORMAT = "1";

  private final Path mapFile;
  private final Path metaFile;
  private final String tierName;
  private final String sizing;
  private final FileChannel channel;
  private final FileLock lock;

  private TierFile(
      Path mapFile,
      Path metaFile,
      String tierName,
      String sizing,
      FileChannel channel,
      FileLock lock) {
    this.mapFile = mapFile;
    this.metaFile = metaFile;
    this.tierName = tierName;
    this.sizing = sizing;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes ownership of {@code mapFile}: locks its metadata file, creating it (and the parent
   * directory) if needed.
   *
   * @param mapFile the Chronicle Map file
   * @param tierName the tier's name, for messages
   * @param sizing a canonical string of the sizing options and library version; a file created with
   *     a different string is recreated
   * @return the owned file
   * @throws CacheTierException if the file is open elsewhere or cannot be locked
   */
  public static TierFile acquire(Path mapFile, String tierName, String sizing) {
    Path meta = mapFile.resolveSibling(mapFile.getFileName() + ".tier");
    FileChannel channel = null;
    try {
      Path parent = mapFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      channel =
          FileChannel.open(
              meta, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this JVM
      }
      if (lock == null) {
        throw new CacheTierException(
            "tier '"
                + tierName
                + "': "
                + mapFile
                + " is already open in this or another process (lock on "
                + meta
                + "); a Chronicle Map tier file has one owner at a time",
            null);
      }
      return new TierFile(mapFile, meta, tierName, sizing, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new CacheTierException(
          "tier '" + tierName + "': cannot lock " + meta + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** An open map and how it was opened. */
  public record Opened(ChronicleMap<byte[], byte[]> map, OpenOutcome outcome) {}

  /**
   * Opens the map file: creates, reopens, recovers or recreates it (see the class comment), then
   * marks the metadata {@code state=open}.
   *
   * @param builder the configured Chronicle Map builder
   * @return the open map and the outcome
   * @throws CacheTierException if the file cannot be opened or created
   */
  public Opened open(ChronicleMapBuilder<byte[], byte[]> builder) {
    try {
      Properties meta = readMeta();
      boolean exists = Files.exists(mapFile);
      if (exists && meta == null) {
        throw new CacheTierException(
            "tier '"
                + tierName
                + "': "
                + mapFile
                + " exists but has no "
                + metaFile.getFileName()
                + " metadata, so it was not created by a ChronicleMapTier; delete it or choose"
                + " another file",
            null);
      }
      if (!exists) {
        return new Opened(create(builder), OpenOutcome.CREATED);
      }
      if (!FORMAT.equals(meta.getProperty("format"))
          || !sizing.equals(meta.getProperty("sizing"))) {
        return new Opened(recreate(builder), OpenOutcome.RECREATED);
      }
      if (!looksLikeChronicleMap()) {
        return new Opened(recreate(builder), OpenOutcome.RECREATED);
      }
      String state = meta.getProperty("state", "open");
      writeMeta("open");
      try {
        if (state.equals("closed")) {
          return new Opened(builder.createPersistedTo(mapFile.toFile()), OpenOutcome.REOPENED);
        }
        // Same sizing and library version (checked above), so the builder may rebuild a damaged
        // header: that is what "true" allows.
        return new Opened(
            builder.recoverPersistedTo(mapFile.toFile(), true), OpenOutcome.RECOVERED);
      } catch (LinkageError e) {
        // Chronicle Map could not even start (missing JVM flags): the file is not at fault.
        writeMeta(state);
        throw e;
      } catch (IOException | RuntimeException e) {
        if (missingJvmFlags(e)) {
          writeMeta(state);
          throw e;
        }
        // A damaged file (say, truncated by a full disk) is only lost cache content.
        return new Opened(recreate(builder), OpenOutcome.RECREATED);
      }
    } catch (IOException e) {
      throw new CacheTierException(
          "tier '" + tierName + "': cannot open " + mapFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether the file starts with a Chronicle Map header. Checked before opening because Chronicle
   * Map, given a file whose header is not complete, assumes another process is still creating it
   * and waits a whole minute before giving up; we own the file, so nobody is.
   */
  private boolean looksLikeChronicleMap() throws IOException {
    try (FileChannel ch = FileChannel.open(mapFile, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(512);
      while (head.hasRemaining() && ch.read(head) > 0) {
        // read what there is, up to 512 bytes
      }
      String text = new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1);
      return text.contains("net.openhft.chronicle.map.VanillaChronicleMap");
    }
  }

  /**
   * Whether Chronicle Map failed for lack of its JVM flags (module-access errors). The file is fine
   * then, and recreating it would throw away a good cache because of the JVM's configuration.
   */
  private static boolean missingJvmFlags(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InaccessibleObjectException
          || t instanceof IllegalAccessException
          || t instanceof IllegalAccessError) {
        return true;
      }
    }
    return false;
  }

  private ChronicleMap<byte[], byte[]> create(ChronicleMapBuilder<byte[], byte[]> builder)
      throws IOException {
    // Metadata first: a crash while the map file is being created leaves "open" behind, so the
    // next start treats the half-made file as crashed (recover, else recreate) instead of
    // refusing it as foreign.
    writeMeta("open");
    return builder.createPersistedTo(mapFile.toFile());
  }

  private ChronicleMap<byte[], byte[]> recreate(ChronicleMapBuilder<byte[], byte[]> builder)
      throws IOException {
    Files.deleteIfExists(mapFile);
    return create(builder);
  }

  /**
   * Marks a clean shutdown; call after the map is closed.
   *
   * @throws CacheTierException if the metadata cannot be written
   */
  public void markClosed() {
    try {
      writeMeta("closed");
    } catch (IOException e) {
      throw new CacheTierException(
          "tier '" + tierName + "': cannot write " + metaFile + ": " + e.getMessage(), e);
    }
  }

  /** Releases the lock. */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel below releases it too
    }
    closeQuietly(channel);
  }

  private Properties readMeta() throws IOException {
    long size = channel.size();
    if (size == 0) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, 64 * 1024));
    channel.read(buf, 0);
    Properties p = new Properties();
    p.load(new StringReader(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)));
    return p;
  }

  private void writeMeta(String state) throws IOException {
    String text =
        "# dsblocks ChronicleMapTier metadata for "
            + mapFile.getFileName()
            + "; do not edit\nformat="
            + FORMAT
            + "\nsizing="
            + sizing
            + "\nstate="
            + state
            + "\n";
    ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    channel.truncate(0);
    while (buf.hasRemaining()) {
      channel.write(buf, buf.position());
    }
    channel.force(true);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
