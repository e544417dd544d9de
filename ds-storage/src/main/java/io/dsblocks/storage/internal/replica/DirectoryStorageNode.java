package io.dsblocks.storage.internal.replica;

import io.dsblocks.storage.StorageException;
import io.dsblocks.storage.StorageNode;
import io.dsblocks.storage.internal.pack.PackFiles;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StorageNode} backed by a local directory. Writes go to {@code .tmp-*} files that are
 * fsynced, atomically renamed over the final name, and followed by a directory fsync, so a name
 * always holds a complete, durable file. Temporary files left by a crash are never listed and are
 * removed when the node is created.
 *
 * <p>Thread-safe: every operation works on its own file descriptor; temporary names are unique.
 */
public final class DirectoryStorageNode implements StorageNode {
  private static final String TMP = ".tmp-";
  private static final AtomicLong TMP_IDS = new AtomicLong();

  private final String id;
  private final Path dir;

  /**
   * Creates the node (and its directory if missing).
   *
   * @param id the node id
   * @param dir the directory
   */
  public DirectoryStorageNode(String id, Path dir) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(dir, "dir");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
    this.id = id;
    this.dir = dir;
    try {
      Files.createDirectories(dir);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TMP + "*")) {
        for (Path p : ds) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot prepare node directory " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String id() {
    return id;
  }

  private Path file(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
      throw new IllegalArgumentException("name must be a plain file name but was '" + name + "'");
    }
    return dir.resolve(name);
  }

  @Override
  public void write(String name, ReadableByteChannel source, long length) throws IOException {
    Path target = file(name);
    Path tmp = dir.resolve(TMP + TMP_IDS.incrementAndGet() + "-" + name);
    try {
      try (FileChannel out =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        long done = 0;
        while (done < length) {
          long n = out.transferFrom(source, done, length - done);
          if (n <= 0) {
            // transferFrom returns 0 at end of input; make sure it really is the end.
            ByteBuffer probe = ByteBuffer.allocate(1);
            if (source.read(probe) < 0) {
              throw new EOFException(
                  "source of " + name + " ended after " + done + " of " + length + " bytes");
            }
            probe.flip();
            while (probe.hasRemaining()) {
              out.write(probe, done);
            }
            done++;
          } else {
            done += n;
          }
        }
        out.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      PackFiles.syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public byte[] read(String name, long offset, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(file(name), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(length);
      long pos = offset;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new EOFException(
              name + " on node " + id + " ends at " + ch.size() + ", need " + (offset + length));
        }
        pos += n;
      }
      return buf.array();
    }
  }

  @Override
  public boolean exists(String name) {
    return Files.exists(file(name));
  }

  @Override
  public long size(String name) throws IOException {
    return Files.size(file(name));
  }

  @Override
  public boolean delete(String name) throws IOException {
    boolean existed = Files.deleteIfExists(file(name));
    if (existed) {
      PackFiles.syncDirectory(dir);
    }
    return existed;
  }

  @Override
  public List<String> list() throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (!n.startsWith(".")) {
          out.add(n);
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "DirectoryStorageNode[" + id + " at " + dir + "]";
  }
}
