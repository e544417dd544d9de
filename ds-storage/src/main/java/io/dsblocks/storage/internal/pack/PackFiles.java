package io.dsblocks.storage.internal.pack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Small file helpers shared by the pack writer and recovery. */
public final class PackFiles {
  private PackFiles() {}

  /**
   * Writes bytes at a position, passing the write through the hook first.
   *
   * @param channel the channel
   * @param file its path (for the hook)
   * @param hook the write hook
   * @param position where to write
   * @param buffers what to write, in order
   * @throws IOException if the write fails or the hook cuts it short
   */
  public static void write(
      FileChannel channel, Path file, PackWriteHook hook, long position, ByteBuffer... buffers)
      throws IOException {
    long total = 0;
    for (ByteBuffer b : buffers) {
      total += b.remaining();
    }
    int allowed = hook.allow(file, position, (int) total);
    if (allowed < total) {
      // Emulate a device that fills up part-way through the write.
      long left = Math.max(0, allowed);
      long pos = position;
      for (ByteBuffer b : buffers) {
        int n = (int) Math.min(left, b.remaining());
        ByteBuffer slice = b.duplicate();
        slice.limit(slice.position() + n);
        while (slice.hasRemaining()) {
          pos += channel.write(slice, pos);
        }
        left -= n;
      }
      throw new IOException("No space left on device (writing " + file.getFileName() + ")");
    }
    long pos = position;
    for (ByteBuffer b : buffers) {
      while (b.hasRemaining()) {
        pos += channel.write(b, pos);
      }
    }
  }

  /**
   * Makes a directory's entries durable (a newly created or removed file survives a power loss).
   * Silently skipped where directories cannot be opened (not on Linux or macOS).
   *
   * @param dir the directory
   */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its file systems order metadata themselves.
    }
  }
}
