package io.dsblocks.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.block.TestObjectStores;
import io.dsblocks.storage.fs.FileStoreException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTest {
  @TempDir Path dir;
  ObjectStore store;
  final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
  final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());

  @BeforeEach
  void open() {
    store = TestObjectStores.create(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static InputStream text(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String readAll(FileStore fs, String path) throws IOException {
    try (InputStream in = fs.read(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void treeOperationsListStatAndMtimesFromTheClock() throws IOException {
    try (FileStore fs = FileStores.create(store, "home", clock)) {
      fs.createDirectories("/a/b/c");
      millis.addAndGet(5_000);
      FileInfo f = fs.write("/a/b/hello.txt", text("hello world"));
      assertThat(f.size()).isEqualTo(11);
      assertThat(f.modified()).isEqualTo(Instant.ofEpochMilli(1_700_000_005_000L));
      assertThat(fs.list("/a/b"))
          .extracting(FileInfo::name, FileInfo::type, FileInfo::size, FileInfo::path)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("c", FileType.DIRECTORY, 0L, "/a/b/c"),
              org.assertj.core.groups.Tuple.tuple(
                  "hello.txt", FileType.FILE, 11L, "/a/b/hello.txt"));
      assertThat(fs.list("/a/b").get(0).modified())
          .isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
      assertThat(readAll(fs, "/a/b/hello.txt")).isEqualTo("hello world");
      try (InputStream in = fs.read("/a/b/hello.txt", 6, 100)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("world");
      }
      assertThat(fs.stat("/").orElseThrow().isDirectory()).isTrue();
      assertThat(fs.stat("/a/b/hello.txt/x")).isEmpty();
      assertThat(fs.stat("/nope")).isEmpty();

      fs.write("/a/b/hello.txt", text("replaced")); // replace
      assertThat(readAll(fs, "/a/b/hello.txt")).isEqualTo("replaced");
      assertThat(fs.stat("/a/b/hello.txt").orElseThrow().size()).isEqualTo(8);

      assertThatThrownBy(() -> fs.delete("/a"))
          .isInstanceOf(FileStoreException.class)
          .extracting(e -> ((FileStoreException) e).reason())
          .isEqualTo(Reason.DIRECTORY_NOT_EMPTY);
      fs.delete("/a/b/c");
      assertThat(fs.stat("/a/b/c")).isEmpty();
      fs.deleteRecursively("/a");
      assertThat(fs.list("/")).isEmpty();
      assertThat(store.list("filestore/home/f/")).as("content objects deleted").isEmpty();
    }
  }

  @Test
  void errorsNameTheReasonAndPath() {
    try (FileStore fs = FileStores.create(store, "err", clock)) {
      fs.write("/file", text("x"));
      assertReason(() -> fs.createDirectory("/file"), Reason.ALREADY_EXISTS, "/file");
      assertReason(() -> fs.createDirectory("/missing/x"), Reason.NOT_FOUND, "/missing");
      assertReason(() -> fs.write("/file/x", text("")), Reason.NOT_A_DIRECTORY, "/file");
      assertReason(() -> fs.createDirectories("/file/x"), Reason.NOT_A_DIRECTORY, "/file");
      assertReason(() -> fs.read("/"), Reason.IS_A_DIRECTORY, "/");
      assertReason(() -> fs.list("/file"), Reason.NOT_A_DIRECTORY, "/file");
      assertReason(() -> fs.delete("/nope"), Reason.NOT_FOUND, "/nope");
      fs.createDirectories("/d/e");
      assertReason(() -> fs.write("/d", text("")), Reason.IS_A_DIRECTORY, "/d");
      assertReason(() -> fs.rename("/d", "/d/e/f"), Reason.INVALID_MOVE, "/d");
      assertReason(() -> fs.rename("/file", "/d"), Reason.ALREADY_EXISTS, "/d");
      assertReason(() -> fs.rename("/d", "/file"), Reason.ALREADY_EXISTS, "/file");
      assertReason(() -> fs.rename("/", "/x"), Reason.INVALID_MOVE, "/");
      assertReason(() -> fs.rename("/x", "/y"), Reason.NOT_FOUND, "/x");
      assertReason(() -> fs.rename("/file", "/no/file"), Reason.NOT_FOUND, "/no");
      assertReason(() -> fs.deleteRecursively("/"), Reason.INVALID_MOVE, "/");
      assertReason(() -> FileStores.create(store, "err"), Reason.ALREADY_EXISTS, "/");
      assertReason(() -> FileStores.open(store, "other"), Reason.NOT_FOUND, "/");
      assertThatThrownBy(() -> fs.read("/file", 2, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("offset must be in [0, size] = [0, 1] but was 2");
    }
  }

  private static void assertReason(Runnable r, Reason reason, String path) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            FileStoreException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.getMessage()).startsWith("'" + path + "'");
            });
  }

  @Test
  void badPathsAreRejectedWithTheRule() {
    try (FileStore fs = FileStores.create(store, "paths", clock)) {
      String[][] cases = {
        {"relative", "must be absolute"},
        {"", "must be absolute"},
        {"/a//b", "empty segments"},
        {"/a/", "must not end with '/'"},
        {"/a/./b", "'.' or '..'"},
        {"/a/..", "'.' or '..'"},
        {"/a\0b", "NUL"},
        {"/" + "x".repeat(256), "at most 255 UTF-8 bytes"},
        {"/x".repeat(2100), "at most 4096 UTF-8 bytes"},
      };
      for (String[] c : cases) {
        assertThatThrownBy(() -> fs.stat(c[0]))
            .as(c[0])
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("path ")
            .hasMessageContaining(c[1]);
      }
      assertThatThrownBy(() -> fs.rename("/a", "b"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("target must be absolute");
      assertThatThrownBy(() -> FileStores.create(store, "a/b"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("name must be 1 to 128 characters of [A-Za-z0-9._-]");
      assertThatThrownBy(() -> fs.stat(null)).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void renameOfFileAndDirectoryIsCompleteAndSurvivesReopen() throws IOException {
    try (FileStore fs = FileStores.create(store, "mv", clock)) {
      fs.createDirectories("/src/sub");
      fs.createDirectory("/dst");
      fs.write("/src/sub/a", text("A"));
      fs.write("/src/b", text("B"));
      fs.rename("/src/b", "/dst/b2");
      assertThat(fs.stat("/src/b")).isEmpty();
      assertThat(readAll(fs, "/dst/b2")).isEqualTo("B");
      fs.rename("/src", "/dst/moved"); // a whole directory, one commit
      assertThat(fs.stat("/src")).isEmpty();
      assertThat(readAll(fs, "/dst/moved/sub/a")).isEqualTo("A");
      fs.write("/dst/c", text("C"));
      fs.rename("/dst/c", "/dst/b2"); // replaces a file, in the same directory
      assertThat(readAll(fs, "/dst/b2")).isEqualTo("C");
      assertThat(fs.list("/dst")).extracting(FileInfo::name).containsExactly("b2", "moved");
    }
    store.close();
    store = TestObjectStores.open(dir);
    try (FileStore fs = FileStores.open(store, "mv", clock)) {
      assertThat(fs.list("/")).extracting(FileInfo::name).containsExactly("dst");
      assertThat(readAll(fs, "/dst/moved/sub/a")).isEqualTo("A");
      assertThat(readAll(fs, "/dst/b2")).isEqualTo("C");
      // Replaced and moved-away content is not kept as live objects.
      assertThat(store.list("filestore/mv/f/")).hasSize(2);
    }
  }

  /**
   * A file moves forward along /d0/f, /d1/f, ... one rename (two directory tables) at a time while
   * readers look for it. A reader scanning forward from where it last saw the file must always find
   * it (never "neither"), never find it at an earlier position again (never "both", an old path
   * reappearing), and always read the full content.
   */
  @Test
  void concurrentReadersNeverSeeNeitherOrBothDuringRenames() throws Exception {
    int hops = 40;
    byte[] content = new byte[200_000];
    new SplittableRandom(1).nextBytes(content);
    try (FileStore fs = FileStores.create(store, "atomic", clock)) {
      for (int i = 0; i <= hops; i++) {
        fs.createDirectory("/d" + i);
      }
      fs.write("/d0/f", new ByteArrayInputStream(content));
      ExecutorService pool = Executors.newFixedThreadPool(3);
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch started = new CountDownLatch(2);
      List<Future<Long>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        readers.add(
            pool.submit(
                () -> {
                  started.countDown();
                  long checks = 0;
                  int at = 0;
                  while (!done.get() || at < hops) {
                    int found = -1;
                    for (int k = at; k <= hops; k++) {
                      if (fs.stat("/d" + k + "/f").isPresent()) {
                        found = k;
                        break;
                      }
                    }
                    assertThat(found)
                        .as("file vanished (after position %d)", at)
                        .isGreaterThanOrEqualTo(at);
                    if (found > 0) {
                      assertThat(fs.stat("/d" + (found - 1) + "/f"))
                          .as("old path still visible")
                          .isEmpty();
                    }
                    at = found;
                    try (InputStream in = fs.read("/d" + at + "/f")) {
                      assertThat(in.readAllBytes()).isEqualTo(content);
                    } catch (FileStoreException moved) {
                      assertThat(moved.reason()).isEqualTo(Reason.NOT_FOUND);
                    }
                    checks++;
                  }
                  return checks;
                }));
      }
      started.await();
      for (int i = 0; i < hops; i++) {
        fs.rename("/d" + i + "/f", "/d" + (i + 1) + "/f");
        assertThat(fs.stat("/d" + i + "/f")).isEmpty();
        assertThat(fs.stat("/d" + (i + 1) + "/f").orElseThrow().size()).isEqualTo(content.length);
      }
      done.set(true);
      for (Future<Long> r : readers) {
        assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
      }
      pool.shutdown();
    }
  }

  /**
   * An upload that dies half way (its input fails, as when a client disconnects) commits nothing:
   * the path keeps its previous content, not an empty or partial file, for both write styles. And
   * the tree as committed so far survives an abrupt close of the object store (no FileStore close).
   */
  @Test
  void failedUploadsLeaveThePreviousContentAndCommittedStateSurvivesReopen() throws Exception {
    FileStore fs = FileStores.create(store, "crash", clock);
    fs.createDirectory("/d");
    fs.write("/d/keep", text("kept"));
    InputStream dying =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (++n > 300_000) {
              throw new IOException("connection reset");
            }
            return n & 0xff;
          }
        };
    assertThatThrownBy(() -> fs.write("/d/keep", dying)).isInstanceOf(RuntimeException.class);
    assertThat(readAll(fs, "/d/keep")).isEqualTo("kept");
    OutputStream out = fs.openOutputStream("/d/keep");
    out.write(new byte[100_000]);
    fs.deleteRecursively("/d"); // the parent vanishes before the upload commits
    assertThatThrownBy(out::close)
        .isInstanceOfSatisfying(
            FileStoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    fs.createDirectory("/e");
    fs.write("/e/f", text("committed"));
    store.close(); // abrupt: the FileStore is never closed
    store = TestObjectStores.open(dir);
    try (FileStore again = FileStores.open(store, "crash", clock)) {
      assertThat(again.list("/")).extracting(FileInfo::name).containsExactly("e");
      assertThat(readAll(again, "/e/f")).isEqualTo("committed");
    }
  }

  @Test
  void largeFilesStreamBothWaysWithoutBuffering() throws Exception {
    long size = 32L << 20;
    try (FileStore fs = FileStores.create(store, "big", clock)) {
      long t0 = System.nanoTime();
      FileInfo info = fs.write("/big.bin", new GeneratedStream(42, size));
      long t1 = System.nanoTime();
      assertThat(info.size()).isEqualTo(size);
      byte[] expected;
      byte[] actual;
      try (InputStream in = fs.read("/big.bin")) {
        actual = sha256(in);
      }
      long t2 = System.nanoTime();
      expected = sha256(new GeneratedStream(42, size));
      assertThat(actual).isEqualTo(expected);
      System.out.printf(
          "FileStore 32 MiB: write %.0f MB/s, read %.0f MB/s%n",
          size / 1e6 / ((t1 - t0) / 1e9), size / 1e6 / ((t2 - t1) / 1e9));

      // Ranged read from the middle reads just that range.
      try (InputStream in = fs.read("/big.bin", 20_000_000, 1000);
          InputStream ref = new GeneratedStream(42, size)) {
        ref.skipNBytes(20_000_000);
        assertThat(in.readAllBytes()).isEqualTo(ref.readNBytes(1000));
      }

      // The push-style stream: 8 MiB written in odd-sized pieces.
      long small = 8L << 20;
      try (OutputStream out = fs.openOutputStream("/pushed.bin");
          InputStream src = new GeneratedStream(7, small)) {
        byte[] buf = new byte[12_345];
        int n;
        while ((n = src.read(buf)) > 0) {
          out.write(buf, 0, n);
        }
      }
      assertThat(fs.stat("/pushed.bin").orElseThrow().size()).isEqualTo(small);
      try (InputStream in = fs.read("/pushed.bin")) {
        assertThat(sha256(in)).isEqualTo(sha256(new GeneratedStream(7, small)));
      }
    }
  }

  private static byte[] sha256(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) > 0) {
      md.update(buf, 0, n);
    }
    return md.digest();
  }

  /** Deterministic pseudo-random bytes, produced on demand (never held in memory). */
  static final class GeneratedStream extends InputStream {
    private final SplittableRandom random;
    private long remaining;
    private final byte[] block = new byte[8192];
    private int pos = block.length;

    GeneratedStream(long seed, long size) {
      this.random = new SplittableRandom(seed);
      this.remaining = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      if (pos == block.length) {
        random.nextBytes(block);
        pos = 0;
      }
      int n = (int) Math.min(Math.min(len, block.length - pos), remaining);
      System.arraycopy(block, pos, b, off, n);
      pos += n;
      remaining -= n;
      return n;
    }
  }
}
