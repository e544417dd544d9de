package io.dsblocks.storage.block;

import io.dsblocks.storage.ObjectStore;
import io.dsblocks.storage.fs.FileInfo;
import io.dsblocks.storage.fs.FileStore;
import io.dsblocks.storage.fs.FileStores;
import io.dsblocks.storage.fs.FileType;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The child JVM of {@link LayersCrashTest}: drives a block device family or a file store forever,
 * announcing each commit before it starts and after it returned, so the parent can kill it at any
 * moment and check the outcome.
 *
 * <ul>
 *   <li>{@code block <dir> <seed>}: devices {@code d0..d3} of 32 x 4 KiB blocks. Each step writes a
 *       few random ranges (a quarter of them zeros) to one device and flushes, or clones a device
 *       to a free name, or deletes a device, or creates one. Before the commit it prints {@code
 *       BEGIN <device> <sha256 of the image the commit makes durable | GONE>}, after it {@code ACK}
 *       with the same, and {@code P} after every single write.
 *   <li>{@code files <dir> <seed>}: file store {@code fs}; each step writes (new or replacing),
 *       renames, deletes a file, deletes a directory recursively or creates one. It keeps a model
 *       of the tree and prints {@code BEGIN <digest of the model after the step>} before and {@code
 *       ACK <digest>} after; after each step it checks the real tree against the model and exits if
 *       they differ.
 * </ul>
 */
public final class LayersChild {
  private LayersChild() {}

  static final int BLOCK = 4 << 10;
  static final long DEVICE_SIZE = 32L * BLOCK;
  static final List<String> DEVICES = List.of("d0", "d1", "d2", "d3");
  static final String FILE_STORE = "fs";
  static final String GONE = "GONE";

  /**
   * Starts a child JVM.
   *
   * @param stderr file receiving its stderr
   * @param args mode and arguments
   * @return the process
   * @throws IOException if it cannot start
   */
  static Process start(Path stderr, String... args) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(LayersChild.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
  }

  /**
   * Entry point.
   *
   * @param args see the class documentation
   */
  public static void main(String[] args) {
    Path dir = Path.of(args[1]);
    Random r = new Random(Long.parseLong(args[2]));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (ObjectStore store = TestObjectStores.open(dir)) {
      switch (args[0]) {
        case "block" -> blocks(store, r, out);
        case "files" -> files(store, r, out);
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    }
  }

  // ------------------------------------------------------------------ block devices

  private static void blocks(ObjectStore store, Random r, PrintStream out) {
    Map<String, BlockDevice> open = new TreeMap<>();
    for (String n : DEVICES) {
      if (BlockDevices.exists(store, n)) {
        open.put(n, BlockDevices.open(store, n));
      }
    }
    while (true) {
      int op = r.nextInt(20);
      List<String> names = new ArrayList<>(open.keySet());
      List<String> free = new ArrayList<>(DEVICES);
      free.removeAll(names);
      if (names.isEmpty() || (op == 0 && !free.isEmpty())) {
        String n = free.get(r.nextInt(free.size()));
        String sha = sha256(new byte[(int) DEVICE_SIZE]);
        out.println("BEGIN " + n + " " + sha);
        open.put(n, BlockDevices.create(store, n, DEVICE_SIZE, BLOCK));
        out.println("ACK " + n + " " + sha);
      } else if (op <= 2 && !free.isEmpty()) {
        String src = names.get(r.nextInt(names.size()));
        String n = free.get(r.nextInt(free.size()));
        String sha = sha256(image(open.get(src))); // flushed already: the clone copies this
        out.println("BEGIN " + n + " " + sha);
        open.put(n, open.get(src).clone(n));
        out.println("ACK " + n + " " + sha);
      } else if (op == 3 && names.size() > 1) {
        String n = names.get(r.nextInt(names.size()));
        out.println("BEGIN " + n + " " + GONE);
        open.remove(n).close();
        BlockDevices.delete(store, n);
        out.println("ACK " + n + " " + GONE);
      } else {
        String n = names.get(r.nextInt(names.size()));
        BlockDevice d = open.get(n);
        int writes = 1 + r.nextInt(4);
        for (int i = 0; i < writes; i++) {
          int len = 1 + r.nextInt(3 * BLOCK);
          long at = (long) r.nextInt((int) DEVICE_SIZE - len + 1);
          byte[] data = new byte[len];
          if (r.nextInt(4) != 0) {
            r.nextBytes(data);
          }
          d.write(at, data);
          out.println("P");
        }
        String sha = sha256(image(d)); // reads see the unflushed writes: what flush commits
        out.println("BEGIN " + n + " " + sha);
        d.flush();
        out.println("ACK " + n + " " + sha);
      }
    }
  }

  static byte[] image(BlockDevice d) {
    byte[] b = new byte[(int) d.size()];
    d.read(0, b);
    return b;
  }

  // ------------------------------------------------------------------ file store

  private static final List<String> DIRS = List.of("/a", "/b", "/a/c");
  private static final List<String> FILES = List.of("f0", "f1", "f2", "f3", "f4");

  private static void files(ObjectStore store, Random r, PrintStream out) {
    FileStore fs = FileStores.open(store, FILE_STORE);
    // path -> "D" or the content's sha256
    TreeMap<String, String> model = walk(fs);
    while (true) {
      List<String> dirs = new ArrayList<>();
      List<String> files = new ArrayList<>();
      for (Map.Entry<String, String> e : model.entrySet()) {
        (e.getValue().equals("D") ? dirs : files).add(e.getKey());
      }
      dirs.add(0, "/");
      int op = r.nextInt(20);
      TreeMap<String, String> next = new TreeMap<>(model);
      Runnable action;
      if (op < 2) {
        String d = DIRS.get(r.nextInt(DIRS.size()));
        if (model.containsKey(d)) {
          continue;
        }
        // createDirectories of the fixed set: parents are directories or missing.
        for (String p = d; !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
          next.put(p, "D");
        }
        action = () -> fs.createDirectories(d);
      } else if (op < 4 && dirs.size() > 1) {
        String d = dirs.get(1 + r.nextInt(dirs.size() - 1));
        next.keySet().removeIf(p -> p.equals(d) || p.startsWith(d + "/"));
        action = () -> fs.deleteRecursively(d);
      } else if (op < 7 && !files.isEmpty()) {
        String f = files.get(r.nextInt(files.size()));
        next.remove(f);
        action = () -> fs.delete(f);
      } else if (op < 10 && !files.isEmpty()) {
        String f = files.get(r.nextInt(files.size()));
        String d = dirs.get(r.nextInt(dirs.size()));
        String target = child(d, FILES.get(r.nextInt(FILES.size())));
        if (target.equals(f) || "D".equals(model.get(target))) {
          continue;
        }
        next.put(target, next.remove(f));
        action = () -> fs.rename(f, target);
      } else {
        String d = dirs.get(r.nextInt(dirs.size()));
        String target = child(d, FILES.get(r.nextInt(FILES.size())));
        if ("D".equals(model.get(target))) {
          continue;
        }
        byte[] data = new byte[r.nextInt(40_000)];
        r.nextBytes(data);
        next.put(target, sha256(data));
        action = () -> fs.write(target, new ByteArrayInputStream(data));
      }
      String digest = digest(next);
      out.println("BEGIN " + digest);
      action.run();
      out.println("ACK " + digest);
      model = next;
      TreeMap<String, String> actual = walk(fs);
      if (!actual.equals(model)) {
        throw new AssertionError("file store differs from the model: " + actual + " vs " + model);
      }
    }
  }

  private static String child(String dir, String name) {
    return dir.equals("/") ? "/" + name : dir + "/" + name;
  }

  /** Path to "D" or the content's sha256, for every entry below the root. */
  static TreeMap<String, String> walk(FileStore fs) {
    TreeMap<String, String> out = new TreeMap<>();
    walk(fs, "/", out);
    return out;
  }

  private static void walk(FileStore fs, String dir, TreeMap<String, String> out) {
    for (FileInfo info : fs.list(dir)) {
      if (info.type() == FileType.DIRECTORY) {
        out.put(info.path(), "D");
        walk(fs, info.path(), out);
      } else {
        try (InputStream in = fs.read(info.path())) {
          out.put(info.path(), sha256(in.readAllBytes()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  static String digest(TreeMap<String, String> tree) {
    StringBuilder sb = new StringBuilder();
    tree.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    return sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
