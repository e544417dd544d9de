package io.dsblocks.storage.internal;

import io.dsblocks.storage.RepositoryLockedException;
import io.dsblocks.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The repository's exclusive lock: an OS file lock on {@code <repo>/lock}, held for the life of a
 * store. The OS drops it when the process dies (even by SIGKILL), so a crash never leaves a stale
 * lock behind. The holder writes its pid into the file, only to make the error message useful.
 *
 * <p>Thread-safe for {@link #close()}.
 */
public final class RepositoryLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private RepositoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock without waiting.
   *
   * @param lockFile the lock file (created if missing)
   * @return the held lock
   * @throws RepositoryLockedException if another process or another store in this JVM holds it
   */
  public static RepositoryLock acquire(Path lockFile) {
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StorageException("cannot open lock file " + lockFile + ": " + e.getMessage(), e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      close(channel);
      throw new RepositoryLockedException(
          lockFile.toString(),
          "repository "
              + lockFile.getParent()
              + " is already open in this JVM (lock file "
              + lockFile
              + ")");
    } catch (IOException e) {
      close(channel);
      throw new StorageException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      String holder = holder(lockFile);
      close(channel);
      throw new RepositoryLockedException(
          lockFile.toString(),
          "repository "
              + lockFile.getParent()
              + " is locked by another process"
              + (holder.isEmpty() ? "" : " (" + holder + ")")
              + ": lock file "
              + lockFile);
    }
    try {
      byte[] pid =
          ("pid=" + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(pid), 0);
    } catch (IOException e) {
      // The pid is only for messages; the lock itself is held.
    }
    return new RepositoryLock(channel, lock);
  }

  private static String holder(Path lockFile) {
    try {
      return Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static void close(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing to release.
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public synchronized void close() {
    if (!channel.isOpen()) {
      return;
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel below releases it anyway.
    }
    close(channel);
  }
}
